# By name, or by the volume it was taken of.
data "atonix_snapshot" "nightly" {
  name = "nightly"
}

output "nightly_size_gb" {
  value = data.atonix_snapshot.nightly.size_gb
}
