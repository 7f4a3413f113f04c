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
    # &{...} is a policy variable (HCL keeps ${...} for itself): each user's own instances.
    resources = ["atx:compute:us-east-1:&{atx:PrincipalId}:instance/*"]

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

resource "atonix_iam_policy" "web_team" {
  name     = "web-team"
  document = data.atonix_iam_policy_document.web_team.json
}

output "web_team_policy" {
  value = data.atonix_iam_policy_document.web_team.json
}
