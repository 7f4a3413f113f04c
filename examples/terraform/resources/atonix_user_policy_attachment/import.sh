# An attachment is imported by its id (GET /api/security/users/{id}/policies lists them).
terraform import atonix_user_policy_attachment.auditor upa-abcdefgh23456789
