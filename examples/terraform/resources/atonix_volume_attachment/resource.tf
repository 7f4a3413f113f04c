# Attaches a volume to an instance of its zone (running or stopped) as a device the instance does not use yet;
# destroying it detaches the volume. Every attribute is immutable: a new device is a new attachment.
resource "atonix_volume_attachment" "data" {
  volume_id   = atonix_volume.data.id
  instance_id = atonix_instance.web.id
  device      = "/dev/sdf"
}
