resource "atonix_kms_key" "billing" {
  name = "billing"
}

resource "atonix_kms_alias" "billing" {
  name          = "alias/billing"
  target_key_id = atonix_kms_key.billing.id
}
