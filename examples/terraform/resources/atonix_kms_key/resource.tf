resource "atonix_kms_key" "billing" {
  name                    = "billing"
  description             = "Encrypts invoices"
  enable_key_rotation     = true
  rotation_period_in_days = 180
  # terraform destroy schedules the deletion: the key is destroyed after this many days (7 to 30).
  deletion_window_in_days = 7
  metadata = {
    team = "finance"
  }
}

resource "atonix_kms_key" "signing" {
  name      = "release-signing"
  key_spec  = "ECC_NIST_P256"
  key_usage = "SIGN_VERIFY"
}
