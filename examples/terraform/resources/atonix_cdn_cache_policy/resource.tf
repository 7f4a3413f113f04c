resource "atonix_cdn_cache_policy" "by_lang" {
  name        = "by-lang"
  min_ttl     = 0
  default_ttl = 600
  max_ttl     = 3600
  headers     = jsonencode({ behavior = "allow", names = ["accept-language"] })
  enable_gzip = true
}
