# A load balancer is imported by its id.
terraform import atonix_lb.web lb-abcdefgh23456789
