# An instance is imported by its id.
terraform import atonix_instance.web inst-abcdefgh23456789
