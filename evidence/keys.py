"""Which public key checks a bundle's signature, and which bundles must be signed at all.

A key given locally (`--public-key`, `evidence.signing.public_key`) checks every signature. Without
one, the public key of the KMS key a config names is fetched with kms:GetPublicKey (read-only); if
that fails, verify refuses (exit 2) naming the key rather than pass bundles it could not check.
A bundle must be signed when the verifier's config or the bundle's own config/attest.yaml names a
signing key: deleting signature.json then no longer turns a signed chain into an unsigned one.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import yaml
from botocore.exceptions import BotoCoreError, ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from attest.core.errors import BadInputError
from attest.evidence.clients import aws_client, region_for
from attest.evidence.signing import load_public_key

Fetch = Callable[[str], ec.EllipticCurvePublicKey]


class KeySource:
    """The given public key, else the KMS key's own (fetched once per key id)."""

    def __init__(self, pem: str | None, fetch: Fetch | None = None, where: str = "evidence.signing.public_key") -> None:
        self.given = load_public_key(pem, where) if pem else None
        self.fetch = fetch
        self.fetched: dict[str, ec.EllipticCurvePublicKey] = {}

    def key_for(self, key_id: str | None) -> ec.EllipticCurvePublicKey | None:
        """None when no key is given and no key id is named; BadInputError when a named key cannot be had."""
        if self.given is not None:
            return self.given
        if key_id is None:
            return None
        if key_id not in self.fetched:
            if self.fetch is None:
                raise BadInputError(
                    f"signatures must be checked with KMS key {key_id}, but no public key is given "
                    "(pass --public-key or set evidence.signing.public_key)",
                    where=key_id,
                )
            self.fetched[key_id] = self.fetch(key_id)
        return self.fetched[key_id]

    def described(self) -> str:
        if self.given is not None:
            return "the configured public key"
        if self.fetched:
            return "the public key of KMS key " + ", ".join(sorted(self.fetched)) + " (kms:GetPublicKey)"
        return "no key"


def kms_fetcher(environ: Mapping[str, str]) -> Fetch:
    """Fetch a KMS key's public key with kms:GetPublicKey; exit 2 naming the key when that fails."""

    def fetch(key_id: str) -> ec.EllipticCurvePublicKey:
        kms: Any = aws_client("kms", environ, region_for(environ, key_id))
        try:
            der = kms.get_public_key(KeyId=key_id)["PublicKey"]
        except ClientError as exc:
            why = exc.response.get("Error", {}).get("Code", "error")
            raise _refused(key_id, why) from None
        except BotoCoreError as exc:
            raise _refused(key_id, exc.__class__.__name__) from None
        pem = serialization.load_der_public_key(der).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return load_public_key(pem.decode("ascii"), key_id)

    return fetch


def _refused(key_id: str, why: str) -> BadInputError:
    return BadInputError(
        f"bundles must be checked with KMS key {key_id}, but kms:GetPublicKey failed ({why}); "
        "pass --public-key or set evidence.signing.public_key",
        where=key_id,
    )


def named_signing_key(config_bytes: bytes) -> str | None:
    """evidence.signing.kms_key_id of a bundle's config/attest.yaml; ValueError when it cannot be read."""
    try:
        doc = yaml.safe_load(config_bytes.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        raise ValueError("config/attest.yaml is not readable YAML") from None
    evidence = doc.get("evidence") if isinstance(doc, dict) else None
    signing = evidence.get("signing") if isinstance(evidence, dict) else None
    key = signing.get("kms_key_id") if isinstance(signing, dict) else None
    if key is not None and not isinstance(key, str):
        raise ValueError("evidence.signing.kms_key_id in config/attest.yaml is not text")
    return key
