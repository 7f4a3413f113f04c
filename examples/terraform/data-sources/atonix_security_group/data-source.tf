# A VPC's default group, by name.
data "atonix_security_group" "default" {
  vpc_id = atonix_vpc.main.id
  name   = "default"
}
