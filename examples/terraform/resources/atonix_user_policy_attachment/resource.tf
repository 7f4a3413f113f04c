data "atonix_iam_policy" "read_only" {
  name = "ReadOnlyAccess"
}

resource "atonix_user_policy_attachment" "auditor" {
  user_id   = atonix_user.auditor.id
  policy_id = data.atonix_iam_policy.read_only.id
}
