# A bucket is imported by its id, or by its name.
terraform import atonix_bucket.assets bkt-abcdefgh23456789
terraform import atonix_bucket.assets acme-assets
