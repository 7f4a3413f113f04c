# A VPC is imported by its id.
terraform import atonix_vpc.main vpc-abcdefgh23456789
