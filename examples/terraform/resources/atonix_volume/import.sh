# A volume is imported by its id.
terraform import atonix_volume.data vol-abcdefgh23456789
