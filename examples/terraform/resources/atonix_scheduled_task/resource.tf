# Stop the dev instance at 19:00 Berlin time on weekdays (DST handled: 18:00Z in winter, 17:00Z in summer).
resource "atonix_scheduled_task" "stop_dev" {
  name     = "stop-dev-evenings"
  schedule = "0 19 * * 1-5"
  timezone = "Europe/Berlin"
  target = jsonencode({
    operation_id = "stopInstance"
    params       = { id = atonix_instance.dev.id }
  })
  retries         = 2
  timeout_seconds = 120
}
