# A listener is imported by its id.
terraform import atonix_lb_listener.http lsn-abcdefgh23456789
