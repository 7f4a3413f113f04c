resource "atonix_cdn_distribution" "site" {
  name                = "site"
  aliases             = ["www.example.com"]
  default_root_object = "index.html"
  price_class         = "PriceClass_100"
  origins = jsonencode([
    { id = "assets", bucket_id = atonix_bucket.assets.id },
    { id = "app", url = "http://127.0.0.1:8081", custom_headers = { "x-from-cdn" = "1" } },
  ])
  default_cache_behavior = jsonencode({ target_origin_id = "assets", cache_policy_id = "cp-cachingoptimized" })
  ordered_cache_behaviors = jsonencode([
    { path_pattern = "/api/*", target_origin_id = "app", cache_policy_id = "cp-cachingdisabled" },
  ])
  custom_error_responses = jsonencode([{ error_code = 404, response_code = 200, response_page_path = "/index.html" }])
  geo_restriction        = jsonencode({ restriction_type = "blacklist", locations = ["KP"] })
}
