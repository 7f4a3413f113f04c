resource "atonix_lb" "web" {
  name    = "web"
  type    = "application"
  vpc_id  = atonix_vpc.main.id
  subnets = [atonix_subnet.a.id, atonix_subnet.b.id]
}
