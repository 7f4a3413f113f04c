# An anomaly subscription is imported by its id.
terraform import atonix_anomaly_subscription.web_cpu asub-abcdefgh23456789
