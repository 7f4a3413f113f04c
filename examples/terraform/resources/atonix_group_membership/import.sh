# A membership is imported by its id (GET /api/security/groups/{id}/members lists them).
terraform import atonix_group_membership.alice gm-abcdefgh23456789
