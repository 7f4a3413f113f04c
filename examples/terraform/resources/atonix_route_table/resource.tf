# Every VPC has a main table already; this one is for the public subnets.
resource "atonix_route_table" "public" {
  name   = "public"
  vpc_id = atonix_vpc.main.id
}
