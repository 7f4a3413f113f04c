# A backup selection is imported by its id.
terraform import atonix_backup_selection.data bsel-abcdefgh23456789
