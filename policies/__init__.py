"""Stage 2: evaluate a Snapshot, Terraform and app code against the rules; produce Findings."""
