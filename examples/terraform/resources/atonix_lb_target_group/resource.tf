resource "atonix_lb_target_group" "web" {
  name                          = "web"
  load_balancer_id              = atonix_lb.web.id
  port                          = 8080
  health_check_path             = "/health"
  health_check_interval_seconds = 10
  healthy_threshold             = 3
  unhealthy_threshold           = 2
  matcher                       = "200-299"
  deregistration_delay          = 60
}
