# A subnet is imported by its id.
terraform import atonix_subnet.a subnet-abcdefgh23456789
