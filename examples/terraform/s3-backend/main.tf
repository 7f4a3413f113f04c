# This configuration's state lives in a bucket of the platform, through Terraform's own s3 backend and the
# platform's S3 door; `use_lockfile` locks it with a <key>.tflock object beside it (Terraform >= 1.10).
# Before `terraform init`: make the bucket, and an access key for its owner (README, "Use it as Terraform's state
# backend"), then export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with it.
terraform {
  required_providers {
    atonix = { source = "atonixcorp/atonix", version = "~> 0.1" }
  }

  backend "s3" {
    bucket    = "tfstate"
    key       = "prod/terraform.tfstate"
    region    = "us-east-1" # us-east-1, or the platform's ATONIX_REGION
    endpoints = { s3 = "http://127.0.0.1:8000/s3" }

    use_path_style              = true # buckets in the path: http://host:8000/s3/<bucket>/<key>
    skip_credentials_validation = true # no AWS STS to ask who the key belongs to
    skip_requesting_account_id  = true # no AWS IAM account to look up
    skip_region_validation      = true # a region name AWS may not know
    skip_metadata_api_check     = true # no EC2 instance metadata to probe for credentials
    use_lockfile                = true # lock with a .tflock object (If-None-Match: *), no DynamoDB
  }
}

provider "atonix" {} # ATONIX_ENDPOINT and ATONIX_TOKEN

resource "atonix_bucket" "assets" {
  name = "acme-assets"
}
