# A file share is imported by its id.
terraform import atonix_file_share.home fs-abcdefgh23456789
