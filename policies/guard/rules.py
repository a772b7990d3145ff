"""The guard's rules: id, title, severity, and whether a hit is a violation or could-not-evaluate."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    status: str  # fail | error
    controls: tuple[str, ...] = ("HIPAA-164.312(e)(1)", "SOC2-CC6.6", "SOC2-CC8.1")


RULES = {rule.id: rule for rule in (
    Rule("reference-write", "Write toward the reference cluster", "critical", "fail"),
    Rule("phi-on-reference", "PHI-class collection on or through the reference cluster", "critical", "fail"),
    Rule("third-party-handle", "Reference handle handed to a third-party package", "high", "error"),
    Rule("dynamic-use", "Reference handle used in a way the guard cannot resolve", "high", "error"),
    Rule("reference-source-missing", "The reference helper or URI variable is configured or mentioned, but the "
         "analysis found no reference source", "high", "error"),
    Rule("unclassified-collection", "Collection read through the reference handle is not classified", "medium", "error"),
    Rule("tf-user-role", "Reference-project database user with a role other than read", "critical", "fail"),
    Rule("tf-user-scopes", "Reference-project database user without scopes", "high", "fail"),
    Rule("tf-user-unresolved", "Reference-project database user whose roles or scopes the guard cannot read",
         "high", "error"),
    Rule("tf-phi-secret", "PHI-class secret bound to the reference URI", "critical", "fail"),
    Rule("tf-secret-class", "Reference-URI secret not classed public", "high", "fail"),
    Rule("tf-secret-unresolved", "Reference-URI binding to a secret the guard cannot resolve", "medium", "error"),
)}
