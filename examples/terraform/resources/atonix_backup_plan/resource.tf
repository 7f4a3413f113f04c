# Two rules: a daily backup at 02:00 Berlin time kept 30 days, and an hourly one of which the newest 24 are kept.
resource "atonix_backup_plan" "standard" {
  name = "standard"
  rules = [
    {
      name            = "daily"
      schedule        = "0 2 * * *"
      timezone        = "Europe/Berlin"
      target_vault_id = atonix_backup_vault.main.id
      retention_days  = 30
    },
    {
      name            = "hourly"
      schedule        = "0 * * * *"
      target_vault_id = atonix_backup_vault.main.id
      retention_count = 24
    },
  ]
}
