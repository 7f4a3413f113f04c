# A distribution is imported by its id.
terraform import atonix_cdn_distribution.site dist-abcdefgh23456789
