# A policy is imported by its id.
terraform import atonix_iam_policy.no_deletes pol-abcdefgh23456789
