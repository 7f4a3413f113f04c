# An invalidation is imported by its id.
terraform import atonix_cdn_invalidation.release inv-abcdefgh23456789
