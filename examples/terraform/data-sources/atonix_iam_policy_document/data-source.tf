# A baseline that any team's policy can start from.
data "atonix_iam_policy_document" "read_only" {
  statement {
    sid       = "ReadCompute"
    actions   = ["compute:GetInstance", "compute:ListInstances"]
    resources = ["*"]
  }
}

data "atonix_iam_policy_document" "web_team" {
  source_policy_documents = [data.atonix_iam_policy_document.read_only.json]

  statement {
    sid       = "ManageWebInstances"
    actions   = ["compute:CreateInstance", "compute:UpdateInstance", "compute:DeleteInstance"]
    resources = ["atx:compute:us-east-1:usr-web:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "atx:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    effect      = "Deny"
    not_actions = ["compute:*", "networking:*"]
    resources   = ["*"]
  }
}

output "web_team_policy" {
  value = data.atonix_iam_policy_document.web_team.json
}
