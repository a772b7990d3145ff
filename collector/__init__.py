"""Stage 1: read live AWS and Atlas state into a Snapshot. The bottom stage: imports only `attest.core`."""
