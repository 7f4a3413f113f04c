# A dashboard of the web tier: request rate by operation, p95 latency, a stat of the buckets' bytes and a table of
# the instances' CPU. Open it at <endpoint>/console/dashboards/<id>#token=<your token>.
resource "atonix_dashboard" "web" {
  name        = "web tier"
  description = "Traffic, latency, storage and CPU of the web tier."
  refresh     = "30s"
  tags        = ["web", "ops"]
  time_range  = { from = "now-24h", to = "now" }
  panels = jsonencode([
    {
      type     = "timeseries"
      title    = "Requests per second"
      unit     = "requests_per_second"
      queries  = [{ expr = "sum by (operation) (rate(atonix_api_requests_total[5m]))", legend = "{{operation}}" }]
      grid_pos = { x = 0, y = 0, w = 16, h = 8 }
    },
    {
      type      = "stat"
      title     = "Bucket storage"
      unit      = "bytes"
      reduction = "last"
      queries   = [{ expr = "sum(atonix_bucket_size_bytes)" }]
      grid_pos  = { x = 16, y = 0, w = 8, h = 4 }
    },
    {
      type     = "stat"
      title    = "p95 latency"
      unit     = "seconds"
      queries  = [{ expr = "histogram_quantile(0.95, sum by (le) (rate(atonix_api_request_duration_seconds_bucket[5m])))" }]
      grid_pos = { x = 16, y = 4, w = 8, h = 4 }
    },
    {
      type     = "table"
      title    = "Instance CPU now"
      unit     = "percent"
      queries  = [{ expr = "atonix_instance_cpu_utilization_percent", legend = "{{resource_id}}" }]
      grid_pos = { x = 0, y = 8, w = 24, h = 6 }
    },
  ])
}

output "dashboard_id" {
  value = atonix_dashboard.web.id
}
