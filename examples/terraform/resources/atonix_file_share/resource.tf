resource "atonix_file_share" "home" {
  name     = "home"
  protocol = "NFS"
  size_gb  = 100
  vpc_id   = atonix_vpc.main.id

  # Evaluated by priority, first match wins; no rules at all means no client may mount the share.
  export_rules = [
    { priority = 10, client_cidr = "10.0.1.0/24", access = "read-write", root_squash = false },
    { priority = 20, client_cidr = "10.0.0.0/16", access = "read-only" },
  ]
}
