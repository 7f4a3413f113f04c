# A stack is imported by its id.
terraform import atonix_stack.network stk-abcdefgh23456789
