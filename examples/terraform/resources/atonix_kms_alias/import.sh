# An alias is imported by its id, or by its name.
terraform import atonix_kms_alias.billing kal-abcdefgh23456789
terraform import atonix_kms_alias.billing alias/billing
