# A backup vault is imported by its id.
terraform import atonix_backup_vault.main bv-abcdefgh23456789
