resource "atonix_group_membership" "alice" {
  group_id = atonix_group.developers.id
  user_id  = atonix_user.alice.id
}
