# Create-only: a change of any argument makes a new invalidation; destroy only forgets it (invalidations stay).
resource "atonix_cdn_invalidation" "release" {
  distribution_id  = atonix_cdn_distribution.site.id
  paths            = ["/index.html", "/img/*"]
  caller_reference = "release-42"
}
