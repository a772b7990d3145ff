"""Stage 3: write a run's snapshot, findings and reports as a hashed, chained, signed bundle; verify lockers."""
