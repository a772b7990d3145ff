"""The one error family of attest; the CLI catches it in one place and prints `diagnostic()`."""
from __future__ import annotations


class AttestError(Exception):
    """An error with a one-line human diagnostic and the exit code it maps to."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def diagnostic(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return " ".join(text.split())


class BadInputError(AttestError):
    """Input that cannot be used as given: config, policy, Terraform, code, snapshot (exit 2)."""

    exit_code = 2


class UsageError(AttestError):
    """The command line itself is wrong (exit 2)."""

    exit_code = 2


class EvaluationError(AttestError):
    """Input was fine but the evaluation could not be completed (exit 3)."""

    exit_code = 3
