# An alert on a bucket's size that posts to a webhook: the bucket, a signed webhook channel, and a rule on the
# platform-observed series atonix_bucket_size_bytes of that bucket. When the bucket has held more than
# `threshold_bytes` for two minutes, the webhook receives Alertmanager's payload (version 4) with the header
# X-Atonix-Signature-256: sha256=<hex of HMAC-SHA256(webhook_secret, body)>; when it shrinks, a resolved one.
#   export ATONIX_ENDPOINT=http://127.0.0.1:8000 ATONIX_TOKEN=atx_...
#   terraform init && terraform apply -var webhook_url=https://hooks.example.com/x -var webhook_secret=...
terraform {
  required_providers {
    atonix = {
      source  = "atonixcorp/atonix"
      version = "~> 0.1"
    }
  }
}

provider "atonix" {}

variable "webhook_url" {
  type = string
}

variable "webhook_secret" {
  type      = string
  sensitive = true
}

variable "threshold_bytes" {
  type    = number
  default = 1073741824 # 1 GiB
}

resource "atonix_bucket" "data" {
  name          = "monitored-data"
  force_destroy = true
}

resource "atonix_notification_channel" "ops" {
  name   = "ops-webhook"
  type   = "webhook"
  url    = var.webhook_url
  secret = var.webhook_secret
}

resource "atonix_alert_rule" "bucket_size" {
  name          = "BucketTooBig"
  description   = "the data bucket grew past its budget"
  metric        = "atonix_bucket_size_bytes"
  metric_labels = { resource_id = atonix_bucket.data.id }
  statistic     = "max"
  comparison    = ">"
  threshold     = var.threshold_bytes
  window        = "5m"
  for           = "2m"
  interval      = "1m"
  labels        = { severity = "warning" }
  annotations = {
    summary     = "Bucket {{ $labels.resource_id }} holds {{ $value }} bytes"
    description = "More than ${var.threshold_bytes} bytes for two minutes."
  }
  channel_ids = [atonix_notification_channel.ops.id]
}

output "rule_id" {
  value = atonix_alert_rule.bucket_size.id
}

output "query" {
  value = atonix_alert_rule.bucket_size.query
}
