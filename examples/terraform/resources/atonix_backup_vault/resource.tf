# A vault for recovery points; it can be destroyed only once it holds none.
resource "atonix_backup_vault" "main" {
  name        = "main"
  description = "nightly volume snapshots and bucket copies"
}
