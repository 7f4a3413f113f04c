# A workflow is imported by its id.
terraform import atonix_workflow.stop_dev wf-abcdefgh23456789
