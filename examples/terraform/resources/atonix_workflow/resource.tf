# Stop every running instance tagged env=dev, one Map iteration per instance (at most 10 at once).
resource "atonix_workflow" "stop_dev" {
  name        = "stop-dev-instances"
  description = "Stops every running instance tagged env=dev."
  definition = jsonencode({
    StartAt = "List"
    States = {
      List = {
        Type       = "Task"
        Resource   = "listInstances"
        Parameters = { params = { limit = "1000" } }
        Next       = "Each"
      }
      Each = {
        Type           = "Map"
        ItemsPath      = "$.items"
        MaxConcurrency = 10
        ItemProcessor = {
          StartAt = "IsRunningDev"
          States = {
            IsRunningDev = {
              Type = "Choice"
              Choices = [{
                And = [
                  { Variable = "$.metadata.env", StringEquals = "dev" },
                  { Variable = "$.status", StringEquals = "running" },
                ]
                Next = "Stop"
              }]
              Default = "Leave"
            }
            Stop  = { Type = "Task", Resource = "stopInstance", Parameters = { params = { "id.$" = "$.id" } }, End = true }
            Leave = { Type = "Succeed" }
          }
        }
        End = true
      }
    }
  })
}

# A new definition is a new version (latest_version); executions keep the version they started with.
output "version" {
  value = atonix_workflow.stop_dev.latest_version
}
