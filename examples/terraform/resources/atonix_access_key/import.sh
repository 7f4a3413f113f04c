# An access key is imported by its access key id. Its secret cannot be read back, so an imported key has none in
# the state (secret_access_key is null); create a new key when the secret is needed.
terraform import atonix_access_key.ci AKAXABCDEFGH23456789
