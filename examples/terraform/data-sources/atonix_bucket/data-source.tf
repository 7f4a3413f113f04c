data "atonix_bucket" "logs" {
  name = "acme-logs"
}

output "logs_used_gb" {
  value = data.atonix_bucket.logs.used_gb
}
