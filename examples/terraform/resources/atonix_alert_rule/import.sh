# An alert rule is imported by its id.
terraform import atonix_alert_rule.bucket_full alr-abcdefgh23456789
