"""The SOC 2 Type II period view over a chain of verified evidence bundles."""
