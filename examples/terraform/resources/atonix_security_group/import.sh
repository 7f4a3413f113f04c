# A security group is imported by its id, with its rules in ingress and egress.
terraform import atonix_security_group.web sg-abcdefgh23456789
