# An `ip` target (an address and a port); an `instance` group takes `target_id = atonix_instance.x.id` instead.
resource "atonix_lb_target_group_attachment" "web1" {
  target_group_id = atonix_lb_target_group.web.id
  target_id       = "10.0.1.10"
  port            = 8080
}
