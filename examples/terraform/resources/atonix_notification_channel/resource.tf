# A webhook that receives Alertmanager's webhook payload (version 4), signed: the receiver checks
# X-Atonix-Signature-256 = "sha256=" + hex(HMAC-SHA256(secret, raw body)).
resource "atonix_notification_channel" "ops" {
  name    = "ops-webhook"
  type    = "webhook"
  url     = "https://hooks.example.com/atonix"
  secret  = var.webhook_secret # sensitive; never read back
  headers = { "X-Team" = "ops" }
}

# Or the WebSocket event stream only (alert_rule.notification events on /api/events).
resource "atonix_notification_channel" "console" {
  name = "console"
  type = "websocket"
}

variable "webhook_secret" {
  type      = string
  sensitive = true
}
