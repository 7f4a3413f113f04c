# Hold back the notifications of one bucket's alerts during a migration (they still change state and are recorded).
resource "atonix_silence" "migration" {
  name = "bucket-migration"
  matchers = [
    { name = "resource_id", value = atonix_bucket.assets.id },
    { name = "severity", op = "=~", value = "page|critical" },
  ]
  starts_at = "2030-01-01T20:00:00Z"
  ends_at   = "2030-01-02T06:00:00Z"
  comment   = "moving the assets to the new region"
}
