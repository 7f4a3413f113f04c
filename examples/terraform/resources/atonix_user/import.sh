# A user is imported by its id.
terraform import atonix_user.ci usr-abcdefgh23456789
