# Rules nested in the group are authoritative: the group holds exactly these (left out, a direction is not managed
# here, and atonix_security_group_rule resources may manage it instead; never use both for one group).
resource "atonix_security_group" "web" {
  name        = "web"
  description = "HTTPS from anywhere, SSH from the office"
  vpc_id      = atonix_vpc.main.id

  ingress = [
    { protocol = "tcp", from_port = 443, to_port = 443, cidr_block = "0.0.0.0/0" },
    { protocol = "tcp", from_port = 22, to_port = 22, cidr_block = "198.51.100.0/24", description = "office" },
    { protocol = "icmp", from_port = 8, cidr_block = "10.0.0.0/16" },
  ]
  egress = [
    { protocol = "all", cidr_block = "0.0.0.0/0" },
  ]
}
