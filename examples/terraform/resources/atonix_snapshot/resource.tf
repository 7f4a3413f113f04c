# A snapshot of a volume; apply waits until it is completed (its time grows with the volume's size).
resource "atonix_snapshot" "nightly" {
  volume_id   = atonix_volume.data.id
  name        = "nightly"
  description = "before the upgrade"
}
