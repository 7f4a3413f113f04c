data "atonix_volume" "data" {
  name = "data"
}

output "data_volume_attached_to" {
  value = data.atonix_volume.data.attached_to
}
