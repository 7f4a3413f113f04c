# A backup plan is imported by its id.
terraform import atonix_backup_plan.standard bp-abcdefgh23456789
