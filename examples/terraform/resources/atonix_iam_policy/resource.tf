# Admins only. The document is AWS IAM grammar over the platform's actions and resource names.
resource "atonix_iam_policy" "no_deletes" {
  name        = "no-instance-deletes"
  description = "Everything on one's own compute, but never deleting an instance"
  document = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "OwnCompute", Effect = "Allow", Action = "compute:*", Resource = "atx:compute:*:$${atx:PrincipalId}:*" },
      { Sid = "NoDeletes", Effect = "Deny", Action = "compute:DeleteInstance", Resource = "*" },
    ]
  })
}
