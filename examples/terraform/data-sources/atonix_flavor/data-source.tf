data "atonix_flavor" "small" {
  name = "t1.small"
}
