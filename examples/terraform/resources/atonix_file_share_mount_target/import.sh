# A mount target is imported by its id.
terraform import atonix_file_share_mount_target.a fsmt-abcdefgh23456789
