"""The bad-input corpus: every broken file gives one line naming the file and place, never a traceback.

One row per file in `corpus/<kind>/`. Each kind says how the file reaches the real CLI (as the
estate config, a policy file in a copied policy directory, a snapshot, a Terraform file, a
TypeScript file in a copy of the guard's fixture app, ...), against the small valid inputs in
`valid/`. Exit 2 is bad input; 3 is "could not evaluate" (a TypeScript file the guard cannot
parse). Two kinds are verdicts rather than input errors, by design, and say so on stdout with exit 1:
a malformed waiver does not apply (the finding stays `fail`, the waiver is listed as malformed
with file:line), and a damaged bundle manifest is a PROBLEM of the locker `attest verify` reports.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from attest.cli import main

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS, VALID = HERE / "corpus", HERE / "valid"
LOCAL_CONFIG = str(ROOT / "sandbox" / "attest.local.yaml")
GUARD_APP = ROOT / "tests" / "policies" / "guard" / "fixtures" / "app"
SNAPSHOT, POLICIES = str(VALID / "snapshot.json"), str(VALID / "policies")
CHECK = ["check", "--snapshot", SNAPSHOT, "--config", LOCAL_CONFIG, "--policies", POLICIES]


@dataclass(frozen=True)
class Case:
    exit: int
    where: str            # must appear in the diagnostic; {file} is the path the CLI was given
    stream: str = "err"   # "err": exactly one line on stderr; "out": a verdict on stdout, stderr empty


CASES: dict[str, Case] = {
    # estate config (attest collect --config FILE): rejected before any network call
    "config/access-list-host-bits.yaml": Case(2, "{file}:8: atlas.projects[0].access_list[0]: '192.168.7.77/24' has host bits set: did you mean '192.168.7.0/24'?"),
    "config/access-range-not-a-cidr.yaml": Case(2, "{file}:7: atlas.projects[0].access_ranges[1]: not a CIDR block: '100.64.1.0-100.64.1.255'"),
    "config/approved-range-host-bits.yaml": Case(2, "{file}:9: atlas.approved_access_ranges[1]: '10.20.0.1/16' has host bits set: did you mean '10.20.0.0/16'?"),
    "config/atlas-region-typo.yaml": Case(2, "{file}:7: atlas.projects[0].endpoint_service_regions[1]: 'EU_WETS_2' is not an AWS region in Atlas's spelling (such as US_EAST_1); did you mean 'EU_WEST_2'?"),
    "config/bad-cidr.yaml": Case(2, "{file}:5: atlas.approved_access_ranges[0]: not a CIDR block"),
    "config/duplicate-key.yaml": Case(2, "{file}:2: duplicate key 'version'"),
    "config/ecs-region-typo.yaml": Case(2, "{file}:8: ecs.services[0].region: 'eu-west1' is not an AWS region"),
    "config/empty.yaml": Case(2, "{file}: the estate config is empty"),
    "config/nested-too-deep.yaml": Case(2, "{file}:4:109: not accepted: YAML nested deeper than 100 levels"),
    "config/not-utf8.yaml": Case(2, "{file}: not UTF-8 text (byte 29"),
    "config/ports-reversed.yaml": Case(2, "{file}:20: privatelink[0].ports[0]"),
    "config/privatelink-region-outside-account.yaml": Case(2, "{file}:13: privatelink[0].region: eu-west-2 is not among the regions of account 210987654321"),
    "config/recursive-alias.yaml": Case(2, "{file}:2: an alias refers to a node that contains it"),
    "config/region-typo.yaml": Case(2, "{file}:8: aws.accounts[0].regions[1]: 'us-esat-1' is not an AWS region (botocore"),
    "config/regions-not-a-list.yaml": Case(2, "{file}:6: aws.accounts[0].regions: must be a list"),
    "config/secret-points-to-unknown-cluster.yaml": Case(2, "{file}:11: secrets[0].points_to: no cluster 'prod/no-such-cluster'"),
    "config/short-account-id.yaml": Case(2, "{file}:4: aws.accounts[0].id: an AWS account id is 12 digits"),
    "config/tab-indent.yaml": Case(2, "{file}:2: not valid YAML"),
    "config/top-level-list.yaml": Case(2, "{file}:1: must be a mapping"),
    "config/unclosed-bracket.yaml": Case(2, "{file}:3: not valid YAML"),
    "config/unknown-key.yaml": Case(2, "{file}:7: aws.colour: unknown key"),
    "config/unknown-project-role.yaml": Case(2, "{file}:7: atlas.projects[0].role: must be one of phi, reference"),
    "config/unsupported-version.yaml": Case(2, "{file}:1: version: unsupported config version"),
    # rule files (placed as rules/access.yaml of a copied policy directory; attest check --policies)
    "rules/bad-jmespath.yaml": Case(2, "{file}:8: rules[0].expect[0].path: invalid JMESPath 'facts.[cidr'"),
    "rules/bad-regex.yaml": Case(2, "{file}:8: rules[0].expect[0].value: not a valid regular expression"),
    "rules/duplicate-rule-id.yaml": Case(2, "{file}:13: rules[1].id: rule ATL-DB-004 is already defined"),
    "rules/empty-any-group.yaml": Case(2, "{file}:8: rules[0].expect[0].any: must list one or more conditions"),
    "rules/empty-expect.yaml": Case(2, "{file}:7: rules[0].expect: must list one or more conditions"),
    "rules/nested-too-deep.yaml": Case(2, "{file}:4:113: not accepted: YAML nested deeper than 100 levels"),
    "rules/no-rules-leaves-mapping-unknown.yaml": Case(2, "{policies}/controls.yaml:9: controls[0].rules[0].rule: unknown rule id 'ATL-DB-004'"),
    "rules/rules-not-a-list.yaml": Case(2, "{file}:1: a rule file is {{rules: [rule, ...]}}"),
    "rules/unclosed-flow-mapping.yaml": Case(2, "{file}:9: not valid YAML"),
    "rules/unknown-control.yaml": Case(2, "{file}:5: rules[0].controls[0]: unknown control 'SOC2-CC9.9'"),
    "rules/unknown-key.yaml": Case(2, "{file}:9: rules[0].colour: unknown key"),
    "rules/unknown-operator.yaml": Case(2, "{file}:8: rules[0].expect[0].op: unknown operator 'roughly-within'"),
    "rules/unknown-resource-type.yaml": Case(2, "{file}:6: rules[0].resource: unknown resource type 'atlas.toaster'"),
    "rules/unknown-severity.yaml": Case(2, "{file}:4: rules[0].severity: must be one of"),
    # controls.yaml of a copied policy directory
    "controls/duplicate-mapping.yaml": Case(2, "{file}:9: controls[0].rules[1]: rule ATL-DB-004 is mapped to SOC2-CC6.6 twice"),
    "controls/neither-rules-nor-attestation.yaml": Case(2, "{file}:2: controls[0]: control 'SOC2-CC6.6' has neither rules nor"),
    "controls/not-a-list.yaml": Case(2, "{file}:1: a controls file is"),
    "controls/unknown-key.yaml": Case(2, "{file}:7: controls[0].owner: unknown key"),
    "controls/unknown-rule.yaml": Case(2, "{file}:9: controls[0].rules[1].rule: unknown rule id 'ATL-NOPE-001'"),
    # waivers (attest check --waivers FILE): a malformed waiver does not apply; the file's shape is bad input
    "waivers/expires-february-30.yaml": Case(1, "waiver WVR-001 malformed: {file}:9: expires is not a date (YYYY-MM-DD): '2027-02-30'", "out"),
    "waivers/expires-not-a-date.yaml": Case(1, "waiver WVR-001 malformed: {file}:9: expires is not a date", "out"),
    "waivers/nested-too-deep.yaml": Case(2, "{file}:4:395: not accepted: YAML nested deeper than 100 levels"),
    "waivers/not-a-list.yaml": Case(2, "{file}:1: a waivers file is"),
    "waivers/unclosed-bracket.yaml": Case(2, "{file}:4: not valid YAML"),
    "waivers/unknown-key.yaml": Case(1, "waiver WVR-001 malformed: {file}:8: unknown key 'colour'", "out"),
    "waivers/unknown-rule.yaml": Case(1, "waiver WVR-001 malformed: {file}:3: unknown rule 'ATL-XX-999'", "out"),
    # snapshots (attest check --snapshot FILE): JSON line:column, or the JSON pointer of the bad field
    "snapshot/collected-at-without-timezone.json": Case(2, "{file}#/collected_at: time has no timezone"),
    "snapshot/empty.json": Case(2, "{file}:1:1: not valid JSON"),
    "snapshot/gap-without-reason.json": Case(2, "{file}#/gaps/0: missing field 'reason'"),
    "snapshot/lone-surrogate.json": Case(2, "{file}#/resources/0/attributes/comment: not valid JSON text: an unpaired UTF-16 surrogate"),
    "snapshot/integer-too-long.json": Case(2, "{file}: not valid JSON: Exceeds the limit (4300 digits)"),
    "snapshot/nested-200000.json": Case(2, "{file}:1:101: not accepted: JSON nested deeper than 100 levels"),
    "snapshot/nested-in-attributes.json": Case(2, "{file}:9:161: not accepted: JSON nested deeper than 100 levels"),
    "snapshot/nan-value.json": Case(2, "{file}:15:28: not valid JSON: NaN is not a finite number"),
    "snapshot/number-too-large.json": Case(2, "{file}:15:28: not valid JSON: 1e400 is not a finite number"),
    "snapshot/identity-missing.json": Case(2, "{file}#/identity: missing field 'identity'"),
    "snapshot/resource-id-a-number.json": Case(2, "{file}#/resources/0: field 'id' has the wrong type"),
    "snapshot/resource-id-twice.json": Case(2, "{file}#/resources/1: resource id 'atlas:6a7000000000000000000002/access_list_entry/203.0.113.45/32' already at /resources/0"),
    "snapshot/resources-not-a-list.json": Case(2, "{file}#: field 'resources' has the wrong type"),
    "snapshot/schema-version-a-number.json": Case(2, "{file}#/schema_version: schema_version must be a string"),
    "snapshot/top-level-array.json": Case(2, "{file}: a snapshot must be a JSON object"),
    "snapshot/truncated.json": Case(2, "{file}:17:13: not valid JSON"),
    "snapshot/wrong-schema-version.json": Case(2, "{file}#/schema_version: unsupported schema_version '99'"),
    "snapshot/yaml-not-json.json": Case(2, "{file}:1:1: not valid JSON"),
    # findings files (attest report FILE --snapshot valid)
    "findings/cites-missing-evidence.json": Case(2, "{file}#/findings/0/evidence: finding ATL-DB-004 cites /resources/9999"),
    "findings/controls-missing.json": Case(2, "{file}#: missing field 'controls'"),
    "findings/nested-too-deep.json": Case(2, "{file}:13:117: not accepted: JSON nested deeper than 100 levels"),
    "findings/top-level-array.json": Case(2, "{file}#: must be a JSON object"),
    "findings/truncated.json": Case(2, "{file}:20:2: not valid JSON"),
    "findings/unknown-status.json": Case(2, "{file}#/findings/0/status: must be one of pass, fail, error, waived, manual (got 'meh')"),
    "findings/wrong-schema-version.json": Case(2, "{file}#/schema_version: unsupported schema_version '42'"),
    # Terraform (placed as main.tf; attest check --terraform DIR): caught before checkov runs
    "terraform/unclosed-block.tf": Case(2, "{file}:5: Terraform syntax error"),
    "terraform/not-utf8.tf": Case(2, "{file}:3: not UTF-8 text (byte"),
    "terraform/unterminated-string.tf": Case(2, "{file}:2: Terraform syntax error"),
    # TypeScript (placed as src/lib/broken.ts of the guard's fixture app): the guard cannot vouch for it
    "typescript/invalid-utf8.ts": Case(2, "src/lib/broken.ts:2: not UTF-8 text (byte 58 cannot be decoded)"),
    "typescript/stray-closing-brace.ts": Case(3, "src/lib/broken.ts:3: cannot parse"),
    "typescript/unclosed-parameter-list.ts": Case(3, "src/lib/broken.ts:3: cannot parse"),
    # the guard's own inputs
    "guard-config/alias-bomb.yaml": Case(2, "{file}:2: l0: unknown key"),   # loads in well under a second
    "guard-config/exclude-a-mapping.yaml": Case(2, "{file}:1: exclude: must be a list of non-empty strings"),
    "guard-config/helper-not-a-string.yaml": Case(2, "{file}:1: reference_helpers: must be a list of non-empty strings"),
    "guard-config/unclosed-bracket.yaml": Case(2, "{file}:2: not valid YAML"),
    "guard-config/unknown-key.yaml": Case(2, "{file}:2: colour: unknown key"),
    "classification/collections-not-a-mapping.yaml": Case(2, "data-classification.yaml:1: collections: must be a mapping"),
    "classification/unknown-class.yaml": Case(2, "data-classification.yaml:2: data class must be one of"),
    "tsconfig/nested-too-deep.json": Case(2, "tsconfig.json:3:122: not accepted: JSON nested deeper than 100 levels"),
    "tsconfig/trailing-comma.json": Case(2, "tsconfig.json:2: not valid JSON"),
    # evidence: a key given to verify is bad input; a damaged manifest is a PROBLEM of the locker
    "public-key/not-a-key.pem": Case(2, "{file}: the signing public key is not a readable PEM key"),
    "manifest/files-not-a-mapping.json": Case(1, "/manifest.json: manifest: manifest field 'run' is missing", "out"),
    "manifest/not-a-manifest.json": Case(1, "/manifest.json: manifest: not an attest-evidence-bundle/1 manifest", "out"),
    "manifest/truncated.json": Case(1, "/manifest.json: manifest: manifest is not valid JSON: Expecting property name enclosed in double quotes at line 1 column 50", "out"),
}


@dataclass(frozen=True)
class Placed:
    argv: list[str]
    file: str
    policies: str = ""


def _in_app(tmp: Path, source: Path, relative: str, *extra: str) -> Placed:
    app = tmp / "app"
    shutil.copytree(GUARD_APP, app)
    (app / relative).write_bytes(source.read_bytes())
    return Placed(["guard", str(app), "--today", "2026-06-01", *extra], relative)


def _in_policies(tmp: Path, source: Path, relative: str) -> Placed:
    policies = tmp / "policies"
    shutil.copytree(POLICIES, policies)
    (policies / relative).write_bytes(source.read_bytes())
    argv = ["check", "--snapshot", SNAPSHOT, "--config", LOCAL_CONFIG, "--policies", str(policies)]
    return Placed(argv, str(policies / relative), str(policies))


def _terraform(tmp: Path, source: Path) -> Placed:
    (tmp / "tf").mkdir()
    shutil.copyfile(source, tmp / "tf" / "main.tf")
    return Placed([*CHECK, "--terraform", str(tmp / "tf")], str(tmp / "tf" / "main.tf"))


def _manifest(tmp: Path, source: Path, locker: Path) -> Placed:
    copy = tmp / "locker"
    shutil.copytree(locker, copy)
    (bundle,) = [p for p in copy.iterdir() if p.is_dir() and p.name != "heads"]
    shutil.copyfile(source, bundle / "manifest.json")
    return Placed(["verify", str(copy)], str(bundle / "manifest.json"))


PLACE: dict[str, Callable[[Path, Path, Path], Placed]] = {
    "config": lambda tmp, f, _: Placed(["collect", "--config", str(f)], str(f)),
    "rules": lambda tmp, f, _: _in_policies(tmp, f, "rules/access.yaml"),
    "controls": lambda tmp, f, _: _in_policies(tmp, f, "controls.yaml"),
    "waivers": lambda tmp, f, _: Placed([*CHECK, "--waivers", str(f)], str(f)),
    "snapshot": lambda tmp, f, _: Placed(["check", "--snapshot", str(f), "--config", LOCAL_CONFIG, "--policies", POLICIES], str(f)),
    "findings": lambda tmp, f, _: Placed(["report", str(f), "--snapshot", SNAPSHOT, "--config", LOCAL_CONFIG, "--format", "summary"], str(f)),
    "terraform": lambda tmp, f, _: _terraform(tmp, f),
    "typescript": lambda tmp, f, _: _in_app(tmp, f, "src/lib/broken.ts"),
    "guard-config": lambda tmp, f, _: Placed(["guard", str(GUARD_APP), "--today", "2026-06-01", "--config", str(f)], str(f)),
    "classification": lambda tmp, f, _: _in_app(tmp, f, "data-classification.yaml"),
    "tsconfig": lambda tmp, f, _: _in_app(tmp, f, "tsconfig.json"),
    "public-key": lambda tmp, f, _: Placed(["verify", str(tmp / "no-locker-needed"), "--public-key", str(f)], str(f)),
    "manifest": lambda tmp, f, locker: _manifest(tmp, f, locker),
}


@pytest.fixture(scope="module")
def locker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-bundle evidence locker exported from the valid snapshot (no network, unsigned)."""
    target = tmp_path_factory.mktemp("evidence") / "locker"
    code = main(["export", "--snapshot", SNAPSHOT, "--config", LOCAL_CONFIG, "--locker", str(target), "--new-chain",
                 "--policies", POLICIES])
    assert code == 0
    return target


def _place(name: str, tmp: Path, locker: Path) -> tuple[Placed, str]:
    kind = name.split("/", 1)[0]
    placed = PLACE[kind](tmp, CORPUS / name, locker)
    return placed, CASES[name].where.format(file=placed.file, policies=placed.policies)


def test_every_corpus_file_has_a_row() -> None:
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file()}
    assert on_disk == set(CASES)
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_input_gives_one_line_naming_the_place(
    name: str, tmp_path: Path, locker: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    placed, where = _place(name, tmp_path, locker)
    capsys.readouterr()
    code = main(placed.argv)
    out, err = capsys.readouterr()
    assert code == case.exit, (out, err)
    assert "Traceback" not in out + err
    if case.stream == "err":
        assert err.count("\n") == 1 and err.startswith("attest: "), err
        assert where in err, err
    else:
        assert err == ""
        assert where in out, out


SUBPROCESS_CASES = ("config/recursive-alias.yaml", "snapshot/nested-200000.json", "typescript/invalid-utf8.ts", "rules/bad-jmespath.yaml", "snapshot/truncated.json",
                    "terraform/unclosed-block.tf", "typescript/unclosed-parameter-list.ts", "findings/unknown-status.json")


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_no_traceback_reaches_a_real_process(name: str, tmp_path: Path, locker: Path) -> None:
    placed, where = _place(name, tmp_path, locker)
    env = {k: v for k, v in os.environ.items() if k != "ATTEST_DEBUG"}
    done = subprocess.run([sys.executable, "-m", "attest", *placed.argv], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)
    assert done.returncode == CASES[name].exit
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.count("\n") == 1 and where in done.stderr, done.stderr


@pytest.mark.parametrize("argv, code", [
    (CHECK, 0),                                                   # the valid snapshot: its one finding waived
    ([*CHECK, "--waivers", os.devnull], 1),                       # without the waiver it fails
    (["report", str(VALID / "findings.json"), "--snapshot", SNAPSHOT, "--config", LOCAL_CONFIG, "--format", "summary"], 0),
    (["guard", str(GUARD_APP), "--today", "2026-06-01"], 0),
])
def test_the_valid_inputs_the_corpus_breaks_are_accepted(argv: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == code
    assert capsys.readouterr().err == ""


def test_the_valid_locker_verifies(locker: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(locker)]) == 0
    assert "verdict: intact" in capsys.readouterr().out
