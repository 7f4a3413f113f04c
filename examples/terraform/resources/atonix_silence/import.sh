# A silence is imported by its id.
terraform import atonix_silence.migration sil-abcdefgh23456789
