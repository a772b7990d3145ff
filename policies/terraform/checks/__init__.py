"""attest's own checkov checks. checkov loads them from its own venv (--external-checks-dir);
they import only checkov and the standard library, never attest."""
