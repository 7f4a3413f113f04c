# A configuration is imported by its bucket's id or name (or its own id, lcc-...).
terraform import atonix_bucket_lifecycle_configuration.logs example-logs
