# A dashboard is imported by its id.
terraform import atonix_dashboard.web dsh-abcdefgh23456789
