resource "atonix_subnet" "a" {
  name              = "main-a"
  vpc_id            = atonix_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}
