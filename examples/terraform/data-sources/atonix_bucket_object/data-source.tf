# The current version of an object; `content` holds its bytes when its type is text (text/*, JSON, XML, YAML).
data "atonix_bucket_object" "settings" {
  bucket = "acme-config"
  key    = "settings.json"
}

locals {
  settings = jsondecode(data.atonix_bucket_object.settings.content)
}
