"""Authentication as Atlas does it: HTTP Digest for API keys, OAuth2 client credentials for
service accounts (Bearer tokens from `POST /api/oauth/token`, valid for an hour).

Secrets stay in the estate's `Principal`s and are only ever compared, never logged or echoed.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from typing import Callable, Mapping

from werkzeug.http import parse_dict_header

from attest.sandbox.atlas.estate import Principal

REALM = "MMS Public API"
TOKEN_LIFETIME = 3600


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


class Authenticator:
    """Checks the Authorization header of a request and issues Bearer tokens."""

    def __init__(
        self,
        api_keys: Mapping[str, Principal],
        service_accounts: Mapping[str, Principal],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api_keys = api_keys
        self._service_accounts = service_accounts
        self._clock = clock
        self._lock = threading.Lock()
        self._nonces: set[str] = set()
        self._tokens: dict[str, tuple[Principal, float]] = {}

    def challenge(self) -> str:
        """A fresh Digest challenge for a 401 answer."""
        nonce = secrets.token_urlsafe(24)
        with self._lock:
            self._nonces.add(nonce)
        return f'Digest realm="{REALM}", domain="", nonce="{nonce}", algorithm=MD5, qop="auth", stale=false'

    def principal(self, authorization: str | None, method: str, request_uri: str) -> Principal | None:
        """The caller, if the header proves who it is (Digest for this very URI, or a live Bearer token)."""
        if not authorization:
            return None
        scheme, _, rest = authorization.partition(" ")
        if scheme.lower() == "digest":
            fields = parse_dict_header(rest)
            return self._digest(fields, method) if fields.get("uri") == request_uri else None
        if scheme.lower() == "bearer":
            return self._bearer(rest.strip())
        return None

    def _digest(self, fields: Mapping[str, str | None], method: str) -> Principal | None:
        user, nonce, uri, response = (fields.get(k) for k in ("username", "nonce", "uri", "response"))
        nc, cnonce, qop = fields.get("nc"), fields.get("cnonce"), fields.get("qop")
        if not (user and nonce and uri and response and nc and cnonce) or qop != "auth":
            return None
        if fields.get("realm") != REALM or (fields.get("algorithm") or "MD5").upper() != "MD5":
            return None
        with self._lock:
            known = nonce in self._nonces
        key = self._api_keys.get(user)
        if not known or key is None:
            return None
        ha1 = _md5(f"{user}:{REALM}:{key.secret}")
        ha2 = _md5(f"{method}:{uri}")
        expected = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
        return key if hmac.compare_digest(expected, response) else None

    def _bearer(self, token: str) -> Principal | None:
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]

    def revoke_tokens(self) -> None:
        """Forget every Bearer token, as if each had expired."""
        with self._lock:
            self._tokens.clear()

    def issue_token(self, authorization: str | None, grant_type: str | None) -> str | None:
        """A Bearer token for a service account's Basic client_id:client_secret, else None."""
        if grant_type != "client_credentials" or not authorization:
            return None
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            client_id, _, client_secret = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        account = self._service_accounts.get(client_id)
        if account is None or not hmac.compare_digest(account.secret.encode(), client_secret.encode()):
            return None
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (account, self._clock() + TOKEN_LIFETIME)
        return token
