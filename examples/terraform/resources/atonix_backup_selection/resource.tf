# What the plan backs up: a volume by id, and every bucket whose metadata says backup = "standard".
resource "atonix_backup_selection" "data" {
  plan_id      = atonix_backup_plan.standard.id
  name         = "data"
  resource_ids = [atonix_volume.data.id]
  tags         = { backup = "standard" }
}
