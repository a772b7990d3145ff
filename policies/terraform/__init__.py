"""Terraform plane: checkov with our own checks, drift between declared and live state, change records."""
