# A key is imported by its id (a key pending deletion cannot be imported: it reads as gone).
terraform import atonix_kms_key.billing key-abcdefgh23456789
