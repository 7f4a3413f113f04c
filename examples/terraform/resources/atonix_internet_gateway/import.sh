# An internet gateway is imported by its id.
terraform import atonix_internet_gateway.gw igw-abcdefgh23456789
