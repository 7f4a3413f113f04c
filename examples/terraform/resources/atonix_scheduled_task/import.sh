# A scheduled task is imported by its id.
terraform import atonix_scheduled_task.stop_dev sch-abcdefgh23456789
