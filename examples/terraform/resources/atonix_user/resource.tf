# Admins only.
resource "atonix_user" "ci" {
  name  = "ci-bot"
  email = "ci@example.com"
}
