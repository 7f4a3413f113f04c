# A target group is imported by its id.
terraform import atonix_lb_target_group.web tg-abcdefgh23456789
