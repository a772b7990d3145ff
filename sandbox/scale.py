"""Many accounts, regions and Atlas projects from one estate: its optional `scale:` section.

    scale:
      accounts: 20                                 # generated AWS accounts 100000000001, 100000000002, ...
      regions: [us-east-1, us-west-2, eu-west-1]   # each seeded with a copy of the estate's `aws:` section
      atlas_projects: 10                           # generated copies of the estate's first Atlas project
      role: attest-read                            # the role the collector assumes in each account

moto keeps one backend per account: AssumeRole into `arn:aws:iam::<account>:role/<role>` gives
keys whose calls land in that account, so each generated account is seeded through its own role,
exactly as the collector will read it. `scaled_config` writes the estate config that lists them.
"""
from __future__ import annotations

import argparse
import copy
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Mapping

import boto3
import yaml

from attest.core.errors import BadInputError
from attest.sandbox.aws_seed import CREDENTIALS, seed_aws
from attest.sandbox.estate import load_estate

FIRST_ACCOUNT = 100000000001
SEED_WORKERS = 8
_KEYS = {"accounts", "regions", "atlas_projects", "role"}


@dataclass(frozen=True)
class Scale:
    accounts: int
    regions: tuple[str, ...]
    atlas_projects: int
    role: str

    @property
    def account_ids(self) -> tuple[str, ...]:
        return tuple(str(FIRST_ACCOUNT + i) for i in range(self.accounts))

    def role_arn(self, account: str) -> str:
        return f"arn:aws:iam::{account}:role/{self.role}"

    @property
    def project_ids(self) -> tuple[str, ...]:
        return tuple(f"6a71{i + 1:020d}" for i in range(self.atlas_projects))


def scale_of(estate: Mapping[str, Any]) -> Scale | None:
    """The estate's `scale:` section, checked; None when it has none."""
    raw = estate.get("scale")
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or set(raw) - _KEYS:
        raise BadInputError(f"scale: must be a mapping of {', '.join(sorted(_KEYS))}", where="estate scale")
    counts = {k: raw.get(k, 0) for k in ("accounts", "atlas_projects")}
    if any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 999 for v in counts.values()):
        raise BadInputError("scale: accounts and atlas_projects are whole numbers from 0 to 999", where="estate scale")
    regions = raw.get("regions", [])
    if not isinstance(regions, list) or not all(isinstance(r, str) and r for r in regions) or (counts["accounts"] and not regions):
        raise BadInputError("scale: regions lists at least one region name", where="estate scale")
    role = raw.get("role", "attest-read")
    if not isinstance(role, str) or not role:
        raise BadInputError("scale: role is a role name", where="estate scale")
    return Scale(counts["accounts"], tuple(regions), counts["atlas_projects"], role)


def atlas_section(estate: Mapping[str, Any]) -> dict[str, Any]:
    """The estate's `atlas:` section plus the generated projects (copies of its first project)."""
    atlas = copy.deepcopy(dict(estate.get("atlas") or {}))
    scale = scale_of(estate)
    if scale is None or not scale.atlas_projects:
        return atlas
    projects = atlas.setdefault("projects", [])
    if not projects:
        raise BadInputError("scale: atlas_projects copies the first Atlas project, and there is none", where="estate scale")
    template = projects[0]
    for index, project_id in enumerate(scale.project_ids):
        project = copy.deepcopy(template)
        project.update({"id": project_id, "name": f"scale-{index + 1:03d}", "endpoint_services": []})
        projects.append(project)
    return atlas


def _regional(aws: Mapping[str, Any], account: str, region: str) -> dict[str, Any]:
    """The `aws:` section moved to `region` of `account` (zones and endpoint service names follow)."""
    section = copy.deepcopy(dict(aws))
    home = str(aws["region"])
    section.update({"account": account, "region": region})
    for subnet in section["vpc"]["subnets"]:
        subnet["az"] = str(subnet["az"]).replace(home, region)
    for endpoint in section.get("vpc_endpoints", []):
        endpoint["service_name"] = str(endpoint["service_name"]).replace(home, region)
    return section


def _seed_account(moto_url: str, estate: Mapping[str, Any], scale: Scale, account: str) -> None:
    sts = boto3.Session(region_name=scale.regions[0], **CREDENTIALS).client("sts", endpoint_url=moto_url)
    keys = sts.assume_role(RoleArn=scale.role_arn(account), RoleSessionName="sandbox-seed")["Credentials"]
    credentials = {
        "aws_access_key_id": keys["AccessKeyId"],
        "aws_secret_access_key": keys["SecretAccessKey"],
        "aws_session_token": keys["SessionToken"],
    }
    for region in scale.regions:
        seed_aws(moto_url, {"aws": _regional(estate["aws"], account, region)}, credentials)


def seed_accounts(moto_url: str, estate: Mapping[str, Any]) -> tuple[str, ...]:
    """Seed every generated account x region straight into moto; returns the account ids."""
    scale = scale_of(estate)
    if scale is None or not scale.accounts:
        return ()
    with ThreadPoolExecutor(max_workers=SEED_WORKERS, thread_name_prefix="seed") as pool:
        for done in [pool.submit(_seed_account, moto_url, estate, scale, a) for a in scale.account_ids]:
            done.result()
    return scale.account_ids


def scaled_config(estate: Mapping[str, Any]) -> str:
    """An estate config (YAML) that puts the generated accounts, regions and projects in scope."""
    scale = scale_of(estate)
    if scale is None:
        raise BadInputError("the estate has no scale: section", where="estate")
    atlas = atlas_section(estate)
    generated = set(scale.project_ids)
    config = {
        "version": 1,
        "aws": {
            "accounts": [
                {"id": a, "name": f"scale-{a[-3:]}", "regions": list(scale.regions), "role_arn": scale.role_arn(a)}
                for a in scale.account_ids
            ]
        },
        "atlas": {
            "org_id": str((atlas.get("org") or {}).get("id", "")) or None,
            "projects": [
                {"id": p["id"], "name": p["name"], "role": "phi"} for p in atlas.get("projects", []) if p["id"] in generated
            ],
        },
    }
    return yaml.safe_dump(config, sort_keys=False)


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(prog="python -m sandbox.scale", description="Print the estate config for a scaled estate.")
    _parser.add_argument("--estate", default="many-accounts", help="an estate name or path with a scale: section")
    print(scaled_config(load_estate(_parser.parse_args().estate)), end="")
