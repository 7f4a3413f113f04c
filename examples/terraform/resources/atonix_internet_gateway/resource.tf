resource "atonix_internet_gateway" "gw" {
  name   = "main"
  vpc_id = atonix_vpc.main.id
}
