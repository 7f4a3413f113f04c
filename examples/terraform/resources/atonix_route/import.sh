# A route is imported by its id.
terraform import atonix_route.default rt-abcdefgh23456789
