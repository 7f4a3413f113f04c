resource "atonix_cdn_distribution" "site" {
  name                = "site"
  aliases             = ["www.example.com"]
  default_root_object = "index.html"
  price_class         = "PriceClass_100"
  origins = [
    { id = "assets", bucket_id = atonix_bucket.assets.id },
    { id = "app", url = "http://127.0.0.1:8081", custom_headers = { "x-from-cdn" = "1" }, read_timeout_ms = 5000 },
    { id = "app-standby", url = "http://127.0.0.1:8082" },
  ]
  origin_groups = [
    { id = "app-ha", members = ["app", "app-standby"], failover_status_codes = [502, 503, 504] },
  ]
  default_cache_behavior = { target_origin_id = "assets", cache_policy_id = "cp-cachingoptimized", compress = true }
  ordered_cache_behaviors = [
    {
      path_pattern     = "/api/*"
      target_origin_id = "app-ha"
      cache_policy_id  = "cp-cachingdisabled"
      allowed_methods  = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    },
  ]
  custom_error_responses = [{ error_code = 404, response_code = 200, response_page_path = "/index.html" }]
  geo_restriction        = { restriction_type = "blacklist", locations = ["KP"] }
}
