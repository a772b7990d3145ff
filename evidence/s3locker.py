"""An S3 locker: every object written with Object Lock retention and a SHA-256 integrity checksum.

Layout: `s3://bucket/prefix/<bundle_id>/<files>`, `s3://bucket/prefix/heads/<bundle_id>` (one
witness per export, recording the chain head it wrote) and `s3://bucket/prefix/HEAD`. The bucket must have
Object Lock enabled (which implies versioning). manifest.json is uploaded last, so a prefix without
one is an interrupted upload, never a complete bundle. A locked version cannot be deleted or
overwritten until its retention date; a later PUT only adds a new version, and a plain DELETE only
adds a delete marker: `history` lists both, so `verify` sees them.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from botocore.exceptions import BotoCoreError, ClientError

from attest.collector.config import EvidenceConfig
from attest.core.errors import BadInputError, EvaluationError
from attest.evidence.clients import aws_client, region_for
from attest.evidence.crashpoints import checkpoint
from attest.evidence.manifest import BUNDLE_ID, HEAD, MANIFEST, WITNESSES

OBJECT_LOCK_FIX = (
    "create the bucket with Object Lock (aws s3api create-bucket --object-lock-enabled-for-bucket ...), "
    "or enable it on this versioned bucket (aws s3api put-object-lock-configuration --bucket {bucket} "
    "--object-lock-configuration ObjectLockEnabled=Enabled)"
)


@dataclass(frozen=True)
class KeyHistory:
    """Every version of one key: how many were written, and whether a delete marker now hides them."""

    versions: int
    deleted: bool
    last_modified: datetime | None


def s3_client(environ: Mapping[str, str]) -> Any:
    return aws_client("s3", environ, region_for(environ))


class S3Locker:
    def __init__(self, bucket: str, prefix: str, settings: EvidenceConfig, client: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.settings = settings
        self.client = client
        self.location = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self._listing: list[str] | None = None

    @staticmethod
    def from_uri(uri: str, settings: EvidenceConfig, client: Any) -> S3Locker:
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        if not bucket:
            raise BadInputError("an S3 locker is s3://bucket[/prefix]", where=uri)
        return S3Locker(bucket, prefix, settings, client)

    def _key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = error.get("Code", "error")
            if operation == "put_object" and code == "InvalidRequest" and "objectlock" in _squash(error.get("Message")):
                raise BadInputError(
                    f"bucket {self.bucket} does not have Object Lock enabled, so no bundle can be retained: "
                    + OBJECT_LOCK_FIX.format(bucket=self.bucket),
                    where=self.location,
                ) from None
            raise EvaluationError(f"S3 {operation} failed: {code}", where=self.location) from None
        except BotoCoreError as exc:
            problem = exc.__class__.__name__
            raise EvaluationError(f"S3 {operation} failed: {problem}", where=self.location) from None

    def _keys(self) -> list[str]:
        """Every key under the prefix (relative to it), listed once until the next write."""
        if self._listing is None:
            self._listing = self._list()
        return self._listing

    def _list(self) -> list[str]:
        base = self._key() + "/" if self.prefix else ""
        keys: list[str] = []
        token: dict[str, str] = {}
        while True:
            page = self._call("list_objects_v2", Bucket=self.bucket, Prefix=base, **token)
            keys.extend(item["Key"][len(base):] for item in page.get("Contents", []))
            if not page.get("IsTruncated"):
                return sorted(keys)
            token = {"ContinuationToken": page["NextContinuationToken"]}

    def bundle_ids(self) -> list[str]:
        return sorted({k.split("/", 1)[0] for k in self._keys() if "/" in k and BUNDLE_ID.match(k.split("/", 1)[0])})

    def stray_entries(self) -> list[str]:
        tops = {k.split("/", 1)[0] for k in self._keys() if k != HEAD}
        return sorted(t for t in tops if t != WITNESSES and not BUNDLE_ID.match(t))

    def files(self, bundle_id: str) -> list[str]:
        return [k.split("/", 1)[1] for k in self._keys() if k.startswith(bundle_id + "/")]

    def read(self, bundle_id: str, path: str) -> bytes | None:
        return self._get(self._key(bundle_id, path))

    def _get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise EvaluationError(f"S3 GetObject failed: {exc.response['Error'].get('Code')}", where=key) from None
        return bytes(answer["Body"].read())

    def head(self) -> str | None:
        data = self._get(self._key(HEAD))
        return data.decode("ascii", "replace").strip() if data is not None else None

    def _put(self, key: str, data: bytes) -> None:
        self._listing = None
        retain_until = datetime.now(timezone.utc) + timedelta(days=self.settings.retention_days)
        self._call(
            "put_object",
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=base64.b64encode(hashlib.sha256(data).digest()).decode("ascii"),
            ObjectLockMode=self.settings.retention_mode,
            ObjectLockRetainUntilDate=retain_until,
        )

    def witnesses(self) -> dict[str, bytes | None]:
        """Each witness under heads/, by the bundle id it is named for."""
        names = [k.split("/", 1)[1] for k in self._keys() if k.startswith(WITNESSES + "/")]
        return {name: self._get(self._key(WITNESSES, name)) for name in names}

    def write_witness(self, bundle_id: str, data: bytes) -> None:
        self._put(self._key(WITNESSES, bundle_id), data)

    def sweep(self, before: datetime) -> list[str]:
        """Nothing: locked objects of an interrupted upload cannot be removed (verify notes them)."""
        return []

    def history(self) -> dict[str, KeyHistory]:
        """Every key under the prefix with its version count and whether a delete marker hides it."""
        base = self._key() + "/" if self.prefix else ""
        counts: dict[str, int] = {}
        latest: dict[str, tuple[bool, datetime | None]] = {}
        marker: dict[str, str] = {}
        while True:
            page = self._call("list_object_versions", Bucket=self.bucket, Prefix=base, **marker)
            for item in page.get("Versions", []):
                key = item["Key"][len(base):]
                counts[key] = counts.get(key, 0) + 1
                if item.get("IsLatest"):
                    latest[key] = (False, item.get("LastModified"))
            for item in page.get("DeleteMarkers", []):
                if item.get("IsLatest"):
                    latest[item["Key"][len(base):]] = (True, item.get("LastModified"))
            if not page.get("IsTruncated"):
                break
            marker = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
        return {
            key: KeyHistory(count, latest.get(key, (False, None))[0], latest.get(key, (False, None))[1])
            for key, count in sorted(counts.items())
        }

    def publish(self, bundle_id: str, files: Mapping[str, bytes]) -> None:
        if self._get(self._key(bundle_id, MANIFEST)) is not None:
            raise BadInputError(f"bundle {bundle_id} already exists", where=self.location)
        ordered = sorted(files, key=lambda p: (p == MANIFEST, p))
        for index, path in enumerate(ordered):
            if path == MANIFEST:
                checkpoint("before-manifest-upload")
            self._put(self._key(bundle_id, path), files[path])
            if index == 0:
                checkpoint("partial-upload")

    def set_head(self, bundle_id: str) -> None:
        checkpoint("before-head")
        self._put(self._key(HEAD), (bundle_id + "\n").encode("ascii"))


def _squash(text: Any) -> str:
    return "".join(str(text or "").lower().split())
