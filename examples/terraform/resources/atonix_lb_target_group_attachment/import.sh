# A registration is imported by its id (tgt-..., from GET /api/networking/target-groups/{id}/targets).
terraform import atonix_lb_target_group_attachment.web1 tgt-abcdefgh23456789
