# A cache policy is imported by its id.
terraform import atonix_cdn_cache_policy.by_lang cp-abcdefgh23456789
