resource "atonix_file_share_mount_target" "a" {
  file_share_id      = atonix_file_share.home.id
  subnet_id          = atonix_subnet.a.id
  security_group_ids = [atonix_security_group.nfs.id]
}

output "mount_command" {
  value = atonix_file_share_mount_target.a.mount_command
}
