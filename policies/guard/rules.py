"""The guard's rules: id, title, severity, whether a hit is a violation or could-not-evaluate, and the
help a reviewer reads in code scanning (each rule has a section in docs/guard.md)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    status: str  # fail | error
    controls: tuple[str, ...] = ("HIPAA-164.312(e)(1)", "SOC2-CC6.6", "SOC2-CC8.1")


DOCS_URI = "https://github.com/your-org/attest/blob/main/docs/guard.md"
# Why each rule matters (a finding's rationale) and what to do (its remediation); code scanning shows both
# as one help text (HELP).
WHY = {
    "reference-write": "Code writes through a handle derived from the reference database.",
    "phi-on-reference": "A collection classified `phi` is read through the reference handle, or the registry places "
    "it on the reference cluster.",
    "third-party-handle": "A reference handle is passed to a package the guard does not analyse.",
    "dynamic-use": "The guard cannot tell what this does to the reference handle (a computed method, an unknown "
    "member, an import it cannot read, an analysis limit).",
    "reference-source-missing": "The reference helper or URI variable is named but no reference source was found: the "
    "analysis has lost track of it.",
    "unclassified-collection": "A collection read through the reference handle has no registry entry.",
    "ATL-DB-005": "A database user on the reference project holds a role other than `read` / `readAnyDatabase`, "
    "or has no `scopes` (so it reaches every cluster of the project). The same rule judges the live users and the "
    "Terraform.",
    "tf-user-unresolved": "The roles or scopes of a reference-project user are not literal (a `dynamic` block, an "
    "expression).",
    "tf-phi-secret": 'A task definition binds the reference URI to a secret tagged `data_class = "phi"`.',
    "tf-secret-class": 'The reference-URI secret is not tagged `data_class = "public"`.',
    "tf-secret-unresolved": "The reference URI is bound to a secret the guard cannot resolve (undeclared, or container "
    "definitions that are not literals).",
}
FIX = {
    "reference-write": "Read from the reference cluster only; write to the app's own cluster, or waive a reviewed "
    "one-off with an inline waiver.",
    "phi-on-reference": "Keep PHI off the reference cluster; fix the registry or the code.",
    "third-party-handle": "Add the package to `read_only_packages` in `.attest-guard.yaml` once it is reviewed as "
    "read-only.",
    "dynamic-use": "Make the use literal, or waive it.",
    "reference-source-missing": "Check `reference_helpers` and `reference_uri_env`.",
    "unclassified-collection": "Add it to `data-classification.yaml` with its class and cluster.",
    "ATL-DB-005": "Give it a read role only, scoped to the reference cluster.",
    "tf-user-unresolved": "Write them out so they can be checked.",
    "tf-phi-secret": "Bind the reference URI to the public reference secret.",
    "tf-secret-class": "Tag it, or bind the right secret.",
    "tf-secret-unresolved": "Declare it in the scanned Terraform, as literals.",
}
HELP = {rule: f"{WHY[rule]} {FIX[rule]}" for rule in WHY}


RULES = {rule.id: rule for rule in (
    Rule("reference-write", "Write toward the reference cluster", "critical", "fail"),
    Rule("phi-on-reference", "PHI-class collection on or through the reference cluster", "critical", "fail"),
    Rule("third-party-handle", "Reference handle handed to a third-party package", "high", "error"),
    Rule("dynamic-use", "Reference handle used in a way the guard cannot resolve", "high", "error"),
    Rule("reference-source-missing", "The reference helper or URI variable is configured or mentioned, but the "
         "analysis found no reference source", "high", "error"),
    Rule("unclassified-collection", "Collection read through the reference handle is not classified", "medium", "error"),
    # the policy set's rule (policies/rules/atlas.yaml), which judges it; its title, severity and
    # controls are repeated here so a guard run does not load the policy set to start (a test holds
    # them equal to the policy set's)
    Rule("ATL-DB-005", "Reference-project database users hold only read roles on reference data", "critical", "fail",
         ("SOC2-CC6.7", "HIPAA-164.312(e)(1)")),
    Rule("tf-user-unresolved", "Reference-project database user whose roles or scopes the guard cannot read",
         "high", "error"),
    Rule("tf-phi-secret", "PHI-class secret bound to the reference URI", "critical", "fail"),
    Rule("tf-secret-class", "Reference-URI secret not classed public", "high", "fail"),
    Rule("tf-secret-unresolved", "Reference-URI binding to a secret the guard cannot resolve", "medium", "error"),
)}
