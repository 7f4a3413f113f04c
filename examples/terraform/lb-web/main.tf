# Two web servers behind a load balancer: an application load balancer in two zones, a target group health-checking
# two `ip` targets, and an HTTP listener on port 80 with a rule answering /healthz itself.
#   export ATONIX_ENDPOINT=http://127.0.0.1:8000 ATONIX_TOKEN=atx_...
#   terraform init && terraform apply -var 'web_ports=[8081,8082]'
#   curl "http://$(terraform output -raw endpoint)/"
# The targets are servers you run yourself (here on loopback); no guest runs inside an atonix_instance, so instance
# targets get no traffic.
terraform {
  required_providers {
    atonix = {
      source  = "atonixcorp/atonix"
      version = "~> 0.1"
    }
  }
}

provider "atonix" {}

variable "web_address" {
  type    = string
  default = "127.0.0.1"
}

variable "web_ports" {
  type        = list(number)
  description = "The ports of the two web servers."
}

resource "atonix_vpc" "main" {
  name       = "web"
  cidr_block = "10.30.0.0/16"
}

resource "atonix_subnet" "zone" {
  for_each          = { a = "10.30.1.0/24", b = "10.30.2.0/24" }
  name              = "web-${each.key}"
  vpc_id            = atonix_vpc.main.id
  cidr_block        = each.value
  availability_zone = "us-east-1${each.key}"
}

resource "atonix_lb" "web" {
  name    = "web"
  type    = "application"
  vpc_id  = atonix_vpc.main.id
  subnets = [for s in atonix_subnet.zone : s.id]
}

resource "atonix_lb_target_group" "web" {
  name                          = "web"
  load_balancer_id              = atonix_lb.web.id
  port                          = 80
  health_check_path             = "/"
  health_check_interval_seconds = 10
  healthy_threshold             = 2
  unhealthy_threshold           = 2
  deregistration_delay          = 30
}

resource "atonix_lb_target_group_attachment" "web" {
  count           = length(var.web_ports)
  target_group_id = atonix_lb_target_group.web.id
  target_id       = var.web_address
  port            = var.web_ports[count.index]
}

resource "atonix_lb_listener" "http" {
  load_balancer_id = atonix_lb.web.id
  port             = 80
  default_action = jsonencode({
    type          = "forward"
    target_groups = [{ target_group_id = atonix_lb_target_group.web.id }]
  })
}

resource "atonix_lb_listener_rule" "healthz" {
  listener_id = atonix_lb_listener.http.id
  priority    = 1
  conditions  = jsonencode({ path_patterns = ["/healthz"] })
  action = jsonencode({
    type           = "fixed-response"
    fixed_response = { status_code = 200, content_type = "text/plain", message_body = "ok" }
  })
}

output "endpoint" {
  description = "Where the listener on port 80 really listens (host:port)."
  value       = atonix_lb_listener.http.endpoint
}
