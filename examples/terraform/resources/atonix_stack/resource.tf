resource "atonix_stack" "network" {
  name = "network"
  template_body = jsonencode({
    Parameters = { Cidr = { Type = "String", Default = "10.0.0.0/16" } }
    Resources = {
      Net = { Type = "Atonix::Networking::Vpc", Properties = { name = "main", cidr_block = { Ref = "Cidr" } } }
    }
    Outputs = { VpcId = { Value = { Ref = "Net" } } }
  })
  parameters = { Cidr = "10.1.0.0/16" }
}

output "vpc_id" {
  value = atonix_stack.network.outputs["VpcId"]
}
