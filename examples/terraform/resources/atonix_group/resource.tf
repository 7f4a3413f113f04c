# Admins only. Policies attached to a group apply to every member.
resource "atonix_group" "developers" {
  name        = "developers"
  description = "Application developers"
}
