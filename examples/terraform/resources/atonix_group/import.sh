# A group is imported by its id.
terraform import atonix_group.developers grp-abcdefgh23456789
