resource "atonix_route_table_association" "public_a" {
  subnet_id      = atonix_subnet.a.id
  route_table_id = atonix_route_table.public.id
}
