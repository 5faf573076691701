"""Use cases. Each takes the acting user as an argument, checks permissions, changes rows, writes
the audit event and ends its transaction. They raise the exceptions in `errors`, never abort()."""
