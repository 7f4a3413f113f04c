provider "atonix" {
  endpoint = "http://127.0.0.1:8000" # or ATONIX_ENDPOINT
  # token: set ATONIX_TOKEN rather than writing it here
}
