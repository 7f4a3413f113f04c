resource "atonix_group_policy_attachment" "developers" {
  group_id  = atonix_group.developers.id
  policy_id = atonix_iam_policy.no_deletes.id
}
