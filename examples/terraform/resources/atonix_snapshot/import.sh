# A snapshot is imported by its id.
terraform import atonix_snapshot.nightly snap-abcdefgh23456789
