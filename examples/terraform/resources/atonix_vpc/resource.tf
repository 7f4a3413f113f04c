resource "atonix_vpc" "main" {
  name       = "main"
  cidr_block = "10.0.0.0/16"
}
