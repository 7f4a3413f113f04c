# A bucket served through a CDN distribution: the bucket stays private, the edge reads it for the distribution only
# (as CloudFront's origin access control), caching with the managed CachingOptimized policy; an invalidation drops
# the index after a release.
#   export ATONIX_ENDPOINT=http://127.0.0.1:8000 ATONIX_TOKEN=atx_...
#   terraform init && terraform apply
#   curl "$ATONIX_ENDPOINT/cdn/$(terraform output -raw distribution_id)/index.html"
terraform {
  required_providers {
    atonix = {
      source  = "atonixcorp/atonix"
      version = "~> 0.1"
    }
  }
}

provider "atonix" {}

variable "bucket_name" {
  type    = string
  default = "cdn-site-assets"
}

resource "atonix_bucket" "assets" {
  name = var.bucket_name
}

resource "atonix_cdn_distribution" "site" {
  name                = "site"
  default_root_object = "index.html"
  origins             = [{ id = "assets", bucket_id = atonix_bucket.assets.id }]
  default_cache_behavior = {
    target_origin_id = "assets"
    cache_policy_id  = "cp-cachingoptimized"
    compress         = true
  }
}

resource "atonix_cdn_invalidation" "index" {
  distribution_id  = atonix_cdn_distribution.site.id
  paths            = ["/index.html"]
  caller_reference = "first-release"
}

output "distribution_id" {
  value = atonix_cdn_distribution.site.id
}

output "domain_name" {
  value = atonix_cdn_distribution.site.domain_name
}
