# A 100 GiB ssd volume in the region's second zone, encrypted under a key of yours. Growing size_gb or changing
# type, iops or throughput is done in place (the volume passes through `modifying`); shrinking is refused. The data
# path is emulated: no block device exists.
resource "atonix_volume" "data" {
  name                  = "data"
  size_gb               = 100
  type                  = "ssd" # ssd | hdd | nvme; limits per type in the README
  iops                  = 6000
  throughput            = 250
  availability_zone     = "us-east-1b"
  kms_key_id            = atonix_kms_key.volumes.id
  delete_on_termination = false

  timeouts {
    create = "10m"
  }
}

# A volume restored from a snapshot: its size (or larger) and its encryption.
resource "atonix_volume" "restored" {
  name        = "restored"
  snapshot_id = atonix_snapshot.nightly.id
}
