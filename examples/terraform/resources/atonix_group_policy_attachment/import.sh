# An attachment is imported by its id (GET /api/security/groups/{id}/policies lists them).
terraform import atonix_group_policy_attachment.developers gpa-abcdefgh23456789
