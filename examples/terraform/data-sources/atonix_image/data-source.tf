data "atonix_image" "debian" {
  name = "debian-12"
}
