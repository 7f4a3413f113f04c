// What the file share acceptance cases stand on: a VPC with a subnet in one zone and two security groups, a share.
export const FILE_SHARE_NET = `
resource "atonix_vpc" "net" {
  name       = "fs-deps"
  cidr_block = "10.71.0.0/16"
}
resource "atonix_subnet" "a" {
  name              = "a"
  vpc_id            = atonix_vpc.net.id
  cidr_block        = "10.71.1.0/24"
  availability_zone = "us-east-1a"
}
resource "atonix_security_group" "one" {
  name   = "nfs-one"
  vpc_id = atonix_vpc.net.id
}
resource "atonix_security_group" "two" {
  name   = "nfs-two"
  vpc_id = atonix_vpc.net.id
}
`;
export const FILE_SHARE_DEPS = `${FILE_SHARE_NET}
resource "atonix_file_share" "home" {
  name    = "home"
  vpc_id  = atonix_vpc.net.id
  size_gb = 10
}
`;

/** Two export rules, given out of priority order (the API keeps them ordered; Terraform holds them as a set). */
export const FILE_SHARE_RULES = `[
    { priority = 20, client_cidr = "10.71.0.0/16", access = "read-only" },
    { priority = 10, client_cidr = "10.71.1.0/24", access = "read-write" },
  ]`;
