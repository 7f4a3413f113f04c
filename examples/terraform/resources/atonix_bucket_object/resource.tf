resource "atonix_bucket" "site" {
  name = "acme-site"
}

# From a file: the provider hashes it at plan time, so editing the file plans an upload (no filemd5() needed).
resource "atonix_bucket_object" "index" {
  bucket        = atonix_bucket.site.name
  key           = "index.html"
  source        = "${path.module}/site/index.html"
  content_type  = "text/html; charset=utf-8"
  cache_control = "max-age=300"
}

# From text in the configuration.
resource "atonix_bucket_object" "config" {
  bucket       = atonix_bucket.site.name
  key          = "config/app.json"
  content      = jsonencode({ api = "https://api.example.com" })
  content_type = "application/json"
  metadata     = { "deployed-by" = "terraform" } # sent as x-amz-meta-deployed-by
}
