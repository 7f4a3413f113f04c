resource "atonix_bucket" "assets" {
  name               = "acme-assets" # global, as S3 bucket names are; a new name is a new bucket
  size_gb            = 50            # the quota; writes past it are refused
  versioning_enabled = true
  force_destroy      = true # terraform destroy deletes the objects too (else a bucket holding any is kept)
  metadata           = { team = "web" }
}
