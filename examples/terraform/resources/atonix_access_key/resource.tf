resource "atonix_user" "ci" {
  name = "ci"
}

# S3 credentials for the user (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). The secret is in the state only (as a
# sensitive value), so keep the state private; set status = "Inactive" to stop the key signing without deleting it.
resource "atonix_access_key" "ci" {
  user_id     = atonix_user.ci.id
  description = "CI uploads"
}

output "aws_access_key_id" {
  value = atonix_access_key.ci.id
}

output "aws_secret_access_key" {
  value     = atonix_access_key.ci.secret_access_key
  sensitive = true
}
