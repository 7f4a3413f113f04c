# The default route to the internet gateway makes the table's subnets public (is_public on atonix_subnet).
resource "atonix_route" "default" {
  route_table_id         = atonix_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = atonix_internet_gateway.gw.id
}
