# An object is imported as <bucket>/<key>, the bucket by its name or id; the key may hold slashes.
terraform import atonix_bucket_object.config acme-site/config/app.json
