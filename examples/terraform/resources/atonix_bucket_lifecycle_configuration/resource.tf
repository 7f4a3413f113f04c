# Logs go INFREQUENT after 30 days, ARCHIVE after 90, and expire after a year; old versions after 30 days (the
# newest two kept); unfinished multipart uploads are aborted after a week. One configuration per bucket.
resource "atonix_bucket" "logs" {
  name = "example-logs"
}

resource "atonix_bucket_lifecycle_configuration" "logs" {
  bucket_id = atonix_bucket.logs.id
  rules = [
    {
      id                                 = "logs"
      status                             = "Enabled"
      prefix                             = "logs/"
      transition_infrequent_days         = 30
      transition_archive_days            = 90
      expiration_days                    = 365
      noncurrent_version_expiration_days = 30
      newer_noncurrent_versions          = 2
    },
    {
      id                                     = "uploads"
      status                                 = "Enabled"
      abort_incomplete_multipart_upload_days = 7
    },
  ]
}
