"""The verdict is a path query: a candidate counts only if its chain connects PHI to the reference."""
from __future__ import annotations

import pytest

from attest.core.errors import EvaluationError
from attest.policies.guard.graph import REFERENCE, build, verdict
from attest.policies.guard.model import Hop
from attest.policies.guard.results import Violation

SOURCE = Hop("src/a.ts", 3, "getReferenceDb()")
WRITE = Hop("src/a.ts", 4, ".insertOne() writes")


def _candidate(edges: tuple[str, ...]) -> Violation:
    return Violation("reference-write", "w", WRITE, (SOURCE, WRITE), edges, f"{REFERENCE}/formularies_staging")


def test_complete_chain_is_a_path_from_phi_to_the_reference_collection() -> None:
    candidate = _candidate(("flows_to", "flows_to", "writes"))
    graph = build([candidate])
    confirmed, reachable = verdict(graph, [candidate])
    assert confirmed == [candidate] and reachable
    kinds = {(e.tail, e.head, e.kind) for e in graph.edges}
    assert ("site:src/a.ts:4", f"{REFERENCE}/formularies_staging", "writes") in kinds
    assert (REFERENCE, f"{REFERENCE}/formularies_staging", "contains") in kinds
    assert graph.nodes["site:src/a.ts:3"]["type"] == "code.site"


def test_unconfirmed_chain_is_an_evaluation_error_naming_it() -> None:
    candidate = _candidate(("flows_to", "flows_to"))
    with pytest.raises(EvaluationError) as caught:
        verdict(build([candidate]), [candidate])
    assert caught.value.where == "src/a.ts:4"
    assert "reference-write" in str(caught.value)


def test_a_chain_is_confirmed_by_its_own_edges_only() -> None:
    """Two candidates over the same sites: the one missing its last edge does not borrow the other's."""
    whole, short = _candidate(("flows_to", "flows_to", "writes")), _candidate(("flows_to", "flows_to"))
    with pytest.raises(EvaluationError):
        verdict(build([whole, short]), [whole, short])
    assert verdict(build([whole, whole]), [whole, whole]) == ([whole, whole], True)
