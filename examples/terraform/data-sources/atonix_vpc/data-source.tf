data "atonix_vpc" "shared" {
  name = "shared"
}
