"""The `attest` command: thin wiring of the four stages (collector, policies, evidence, reports)."""
