resource "atonix_lb_listener_rule" "api" {
  listener_id = atonix_lb_listener.http.id
  priority    = 10
  conditions = jsonencode({
    path_patterns = ["/api/*"]
    http_headers  = [{ name = "X-Canary", values = ["yes"] }]
  })
  action = jsonencode({
    type          = "forward"
    target_groups = [{ target_group_id = atonix_lb_target_group.api.id }]
  })
}
