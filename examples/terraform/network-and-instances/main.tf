# A VPC with two subnets in two zones, instances spread over them with count and for_each.
#   export ATONIX_ENDPOINT=http://127.0.0.1:8000 ATONIX_TOKEN=atx_...
#   terraform init && terraform apply
terraform {
  required_providers {
    atonix = {
      source  = "atonixcorp/atonix"
      version = "~> 0.1"
    }
  }
}

provider "atonix" {}

variable "web_count" {
  type    = number
  default = 2
}

data "atonix_flavor" "small" {
  name = "t1.small"
}

data "atonix_image" "debian" {
  name = "debian-12"
}

resource "atonix_vpc" "main" {
  name       = "example"
  cidr_block = "10.20.0.0/16"
}

locals {
  zones = {
    a = { zone = "us-east-1a", cidr = "10.20.1.0/24" }
    b = { zone = "us-east-1b", cidr = "10.20.2.0/24" }
  }
}

resource "atonix_subnet" "zone" {
  for_each          = local.zones
  name              = "example-${each.key}"
  vpc_id            = atonix_vpc.main.id
  cidr_block        = each.value.cidr
  availability_zone = each.value.zone
}

# count: web servers alternate between the two subnets.
resource "atonix_instance" "web" {
  count     = var.web_count
  name      = "web-${count.index}"
  flavor_id = data.atonix_flavor.small.id
  image_id  = data.atonix_image.debian.id
  subnet_id = count.index % 2 == 0 ? atonix_subnet.zone["a"].id : atonix_subnet.zone["b"].id
  metadata  = { role = "web" }
}

# for_each: one worker per zone, stopped until needed.
resource "atonix_instance" "worker" {
  for_each    = atonix_subnet.zone
  name        = "worker-${each.key}"
  flavor_id   = data.atonix_flavor.small.id
  image_id    = data.atonix_image.debian.id
  subnet_id   = each.value.id
  power_state = "stopped"
  metadata    = { role = "worker", zone = each.value.availability_zone }
}

output "vpc_id" {
  value = atonix_vpc.main.id
}

output "web_ips" {
  value = atonix_instance.web[*].private_ip
}

output "worker_ips" {
  value = { for k, w in atonix_instance.worker : k => w.private_ip }
}
