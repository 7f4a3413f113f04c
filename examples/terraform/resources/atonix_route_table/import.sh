# A route table is imported by its id.
terraform import atonix_route_table.public rtb-abcdefgh23456789
