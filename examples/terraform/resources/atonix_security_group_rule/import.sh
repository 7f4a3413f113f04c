# A rule is imported by its id.
terraform import atonix_security_group_rule.ssh sgr-abcdefgh23456789
