# A rule is imported by its id.
terraform import atonix_lb_listener_rule.api rule-abcdefgh23456789
