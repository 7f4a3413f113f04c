# Actions are JSON text: forward to weighted target groups, a fixed response, or a redirect.
resource "atonix_lb_listener" "http" {
  load_balancer_id = atonix_lb.web.id
  port             = 80
  default_action = jsonencode({
    type = "forward"
    target_groups = [
      { target_group_id = atonix_lb_target_group.blue.id, weight = 9 },
      { target_group_id = atonix_lb_target_group.green.id, weight = 1 },
    ]
  })
}
