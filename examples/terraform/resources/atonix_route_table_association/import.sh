# An association is imported by its id.
terraform import atonix_route_table_association.public_a rtbassoc-abcdefgh23456789
