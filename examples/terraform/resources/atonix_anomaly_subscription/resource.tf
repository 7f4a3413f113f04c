# Watch one instance's CPU for anomalies against its own seasonal baseline; an episode lasting five minutes is
# posted once to the ops webhook (signed with the channel's secret, retried like alert notifications).
resource "atonix_anomaly_subscription" "web_cpu" {
  name         = "web-cpu"
  selector     = "atonix_instance_cpu_utilization_percent{resource_id=\"${atonix_instance.web.id}\"}"
  sensitivity  = "medium"
  min_duration = "5m"
  channel = {
    type                    = "webhook"
    notification_channel_id = atonix_notification_channel.ops.id
  }
}

# Or every instance of the owner's as a whole (CPU, memory, network and disk together, by an isolation forest),
# with episodes as events on the WebSocket stream.
resource "atonix_anomaly_subscription" "fleet" {
  name        = "fleet"
  selector    = "atonix_instance_cpu_utilization_percent"
  mode        = "resource"
  sensitivity = "low"
  channel     = { type = "websocket" }
}
