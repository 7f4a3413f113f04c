# Page when a bucket has held more than 40 GiB for ten minutes (its largest size over the last five minutes).
resource "atonix_alert_rule" "bucket_full" {
  name          = "BucketAlmostFull"
  metric        = "atonix_bucket_size_bytes"
  metric_labels = { resource_id = atonix_bucket.assets.id }
  statistic     = "max"
  comparison    = ">"
  threshold     = 40 * 1024 * 1024 * 1024
  window        = "5m"
  for           = "10m"
  interval      = "1m"
  labels        = { severity = "page" }
  annotations = {
    summary = "Bucket {{ $labels.resource_id }} holds {{ $value | humanize }}B"
  }
  channel_ids = [atonix_notification_channel.ops.id]
}

# Or any PromQL: the 5xx rate of the API per operation.
resource "atonix_alert_rule" "api_errors" {
  name        = "ApiErrors"
  expr        = "sum by (operation) (rate(atonix_api_requests_total{code=~\"5..\"}[5m])) > 0.5"
  for         = "5m"
  channel_ids = [atonix_notification_channel.ops.id]
}
