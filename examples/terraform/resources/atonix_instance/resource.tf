data "atonix_flavor" "small" {
  name = "t1.small"
}

data "atonix_image" "debian" {
  name = "debian-12"
}

resource "atonix_instance" "web" {
  name        = "web"
  flavor_id   = data.atonix_flavor.small.id
  image_id    = data.atonix_image.debian.id
  subnet_id   = atonix_subnet.a.id
  power_state = "running" # "stopped" stops it; changing it back starts it
  metadata    = { role = "web" }

  timeouts {
    create = "10m"
  }
}
