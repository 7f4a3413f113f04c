# A notification channel is imported by its id (a webhook's secret is not read back: set it again after the import).
terraform import atonix_notification_channel.ops nch-abcdefgh23456789
