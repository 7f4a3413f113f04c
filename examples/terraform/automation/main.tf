# Nightly clean-up: a workflow that stops every running instance tagged env=dev, started at 02:00 UTC by a scheduled
# task; and a weekday 19:00 Berlin-time task that stops one named instance.
#   export ATONIX_ENDPOINT=http://127.0.0.1:8000 ATONIX_TOKEN=atx_...
#   terraform init && terraform apply -var instance_id=i-...
terraform {
  required_providers {
    atonix = {
      source  = "atonixcorp/atonix"
      version = "~> 0.1"
    }
  }
}

provider "atonix" {}

variable "instance_id" {
  type        = string
  description = "The instance stopped every weekday evening (i-...)."
}

# The definition lives in its own JSON file (the integration test runs that very file); jsonencode(jsondecode(...))
# writes it in Terraform's canonical spelling, so an import plans no whitespace change.
resource "atonix_workflow" "stop_dev" {
  name        = "stop-dev-instances"
  description = "Stops every running instance tagged env=dev."
  definition  = jsonencode(jsondecode(file("${path.module}/stop-dev-instances.json")))
}

# Every night at 02:00 UTC: start an execution of the latest version (the task runs as its owner, through IAM).
resource "atonix_scheduled_task" "nightly" {
  name     = "stop-dev-nightly"
  schedule = "0 2 * * *"
  target = jsonencode({
    operation_id = "startWorkflowExecution"
    params       = { id = atonix_workflow.stop_dev.id }
    body         = { input = { reason = "nightly" } }
  })
}

# Weekdays at 19:00 Berlin time (18:00 UTC in winter, 17:00 UTC in summer): stop one instance.
resource "atonix_scheduled_task" "evening" {
  name     = "stop-one-evenings"
  schedule = "0 19 * * 1-5"
  timezone = "Europe/Berlin"
  target = jsonencode({
    operation_id = "stopInstance"
    params       = { id = var.instance_id }
  })
}

output "workflow_id" {
  value = atonix_workflow.stop_dev.id
}

output "next_nightly_run" {
  value = atonix_scheduled_task.nightly.next_run_at
}
