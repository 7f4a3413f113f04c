# One rule as its own resource, for a group whose lists are not set in its atonix_security_group block.
resource "atonix_security_group" "db" {
  name   = "db"
  vpc_id = atonix_vpc.main.id
}

resource "atonix_security_group_rule" "postgres_from_web" {
  security_group_id        = atonix_security_group.db.id
  direction                = "ingress"
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = atonix_security_group.web.id
  description              = "web servers"
}
