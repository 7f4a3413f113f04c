data "atonix_subnet" "a" {
  name = "main-a"
}

output "subnet_a_is_public" {
  value = data.atonix_subnet.a.is_public
}
