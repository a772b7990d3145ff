"""A small Atlas Admin API v2 client: credentials from the environment, versioned media types,
paging, bounded retries, and typed errors that map one-to-one onto snapshot gap reasons.

Credentials never leave this module: they are not in any repr, log line or exception message
(messages are scrubbed of them in case a server echoes one back). Pages are fetched by number
rather than by following the answer's hrefs, so credentials only ever go to the configured host.
"""
from __future__ import annotations

import json
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import requests
from requests.auth import HTTPDigestAuth

from attest.collector.envvars import positive_number
from attest.core.errors import BadInputError

DEFAULT_BASE_URL = "https://cloud.mongodb.com"
API_PREFIX = "/api/atlas/v2"
TOKEN_PATH = "/api/oauth/token"
MAX_PAGE_SIZE = 500
MAX_PAGES = 10_000
MAX_RETRY_AFTER = 120.0
_PUBLIC = ("MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PUBLIC_KEY")
_PRIVATE = ("MONGODB_ATLAS_PRIVATE_API_KEY", "MONGODB_ATLAS_PRIVATE_KEY")
_REASON_BY_STATUS = {401: "auth_failed", 403: "access_denied", 404: "not_found", 406: "version_mismatch", 429: "throttled"}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AtlasSettings:
    """Where and as whom to call Atlas; the secrets are kept out of repr()."""

    base_url: str = DEFAULT_BASE_URL
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    public_key: str | None = None
    private_key: str | None = field(default=None, repr=False)
    timeout: float = 20.0
    max_retries: int = 4

    @property
    def uses_service_account(self) -> bool:
        return self.client_id is not None

    @property
    def principal(self) -> str:
        """The public half of the credential: the client id or the API key's public key."""
        return self.client_id or self.public_key or ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> AtlasSettings:
        """The Atlas CLI's variables: a service account if set (preferred), else an API key.

        ATTEST_ATLAS_MAX_ATTEMPTS and ATTEST_ATLAS_TIMEOUT tune retries and the per-call timeout,
        as AWS_MAX_ATTEMPTS and ATTEST_AWS_READ_TIMEOUT do for AWS.
        """
        timeout = positive_number(environ, "ATTEST_ATLAS_TIMEOUT", 20.0)
        max_retries = int(positive_number(environ, "ATTEST_ATLAS_MAX_ATTEMPTS", 5.0)) - 1
        base_url = (environ.get("MONGODB_ATLAS_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        if not base_url.startswith(("https://", "http://")):
            raise BadInputError("MONGODB_ATLAS_BASE_URL must be an http(s) URL", where="environment")
        client_id, client_secret = environ.get("MONGODB_ATLAS_CLIENT_ID"), environ.get("MONGODB_ATLAS_CLIENT_SECRET")
        if client_id or client_secret:
            if not (client_id and client_secret):
                missing = "MONGODB_ATLAS_CLIENT_SECRET" if client_id else "MONGODB_ATLAS_CLIENT_ID"
                raise BadInputError(f"{missing} is not set (a service account needs both id and secret)", where="environment")
            return cls(base_url=base_url, client_id=client_id, client_secret=client_secret, timeout=timeout,
                       max_retries=max_retries)
        public = next((environ[n] for n in _PUBLIC if environ.get(n)), None)
        private = next((environ[n] for n in _PRIVATE if environ.get(n)), None)
        if public and private:
            return cls(base_url=base_url, public_key=public, private_key=private, timeout=timeout, max_retries=max_retries)
        if public or private:
            missing = _PRIVATE[0] if public else _PUBLIC[0]
            raise BadInputError(f"{missing} is not set (an API key needs both halves)", where="environment")
        raise BadInputError(
            "no Atlas credentials: set MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET (service account), "
            "or MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY (API key)",
            where="environment",
        )


class AtlasApiError(Exception):
    """A call that gave no usable answer; `reason` is one of the snapshot's gap reasons."""

    def __init__(self, reason: str, detail: str, status: int | None = None, error_code: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.status, self.error_code = reason, detail, status, error_code


class AtlasClient:
    """GETs against the Admin API v2. Safe to share between threads (one HTTP session per thread)."""

    def __init__(
        self,
        settings: AtlasSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sessions: list[requests.Session] = []
        self._token: str | None = None
        self._token_expires = 0.0
        self._secrets = tuple(s for s in (settings.client_secret, settings.private_key) if s)

    @property
    def principal(self) -> str:
        return self.settings.principal

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def get_object(self, path: str, version: str, operation: str) -> dict[str, Any]:
        body = self._get_json(path, version, operation, None)
        if not isinstance(body, dict):
            raise AtlasApiError("malformed", f"{operation} answered a {type(body).__name__}, not an object")
        return body

    def get_array(self, path: str, version: str, operation: str) -> list[dict[str, Any]]:
        """An operation that answers a bare JSON array (endpoint services, custom DB roles)."""
        body = self._get_json(path, version, operation, None)
        if not isinstance(body, list) or not all(isinstance(i, dict) for i in body):
            raise AtlasApiError("malformed", f"{operation} did not answer an array of objects")
        return body

    def get_all(self, path: str, version: str, operation: str) -> list[dict[str, Any]]:
        """Every item of a paged list: `{links, results, totalCount}`, one page after another."""
        items: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            params = {"itemsPerPage": str(MAX_PAGE_SIZE), "pageNum": str(page), "includeCount": "true"}
            body = self._get_json(path, version, operation, params)
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list) or not all(isinstance(i, dict) for i in results):
                raise AtlasApiError("malformed", f"{operation} page {page} has no list of objects under 'results'")
            items.extend(results)
            links = body.get("links") if isinstance(body.get("links"), list) else []
            has_next = any(isinstance(link, dict) and link.get("rel") == "next" for link in links)
            total = body.get("totalCount")
            short = isinstance(total, int) and len(items) < total
            if not results and (short or has_next):
                expected = f"totalCount {total}" if short else "a next link"
                raise AtlasApiError(
                    "malformed", f"{operation} page {page} is empty before the end ({len(items)} read, {expected})"
                )
            if not (has_next or short):
                return items
        raise AtlasApiError("malformed", f"{operation} kept paging past {MAX_PAGES} pages")

    def _get_json(self, path: str, version: str, operation: str, params: dict[str, str] | None) -> Any:
        url = self.settings.base_url + API_PREFIX + path
        headers = {"Accept": f"application/vnd.atlas.{version}+json"}
        response = self._call(lambda: self._session().get(url, params=params, headers=headers, timeout=self.settings.timeout, auth=self._auth()), operation)
        if response.status_code != 200:
            error = self._error(response, operation)
            if error.reason == "version_mismatch":
                error.detail = f"{error.detail} (asked for application/vnd.atlas.{version}+json)"
            raise error
        if "json" not in response.headers.get("Content-Type", ""):
            raise AtlasApiError("malformed", f"{operation} answered {response.headers.get('Content-Type') or 'no content type'}, not JSON", 200)
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise AtlasApiError("malformed", f"{operation} answered invalid JSON ({len(response.content)} bytes)", 200) from None

    def _call(self, send: Callable[[], requests.Response], operation: str) -> requests.Response:
        """Send with bounded retries: 429/503 wait Retry-After; 5xx, timeouts, refused connections back off."""
        refreshed = False
        attempt = 0
        while True:
            wait: float | None = None
            try:
                response = send()
            except requests.Timeout:
                failure = AtlasApiError("timeout", f"{operation} timed out after {self.settings.timeout:g}s")
            except requests.ConnectionError:
                failure = AtlasApiError("unreachable", f"{operation}: cannot connect to {self.settings.base_url}")
            except requests.RequestException as exc:
                failure = AtlasApiError("malformed", f"{operation}: the answer broke off ({type(exc).__name__})")
            else:
                log.debug("atlas %s -> HTTP %s", operation, response.status_code)
                if response.status_code == 401 and self.settings.uses_service_account and not refreshed:
                    refreshed = True
                    self._drop_token()
                    continue
                if response.status_code != 429 and response.status_code < 500:
                    return response
                failure = self._error(response, operation)
                wait = _retry_after(response)
            if attempt >= self.settings.max_retries:
                raise failure
            self._sleep(wait if wait is not None else self._backoff(attempt))
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(8, 0.5 * 2^attempt)] seconds."""
        return self._rng.uniform(0.0, min(8.0, 0.5 * 2**attempt))

    def _error(self, response: requests.Response, operation: str) -> AtlasApiError:
        status = response.status_code
        reason = _REASON_BY_STATUS.get(status) or ("server_error" if status >= 500 else "malformed")
        try:
            body = response.json()
        except ValueError:
            body = None
        fields = body if isinstance(body, dict) else {}
        code, detail = fields.get("errorCode"), fields.get("detail")
        code = code if isinstance(code, str) else None
        detail = detail if isinstance(detail, str) else ""
        code = code or response.headers.get("X-Error-Code")
        text = f"{operation}: HTTP {status}" + (f" {code}" if code else "") + (f": {detail}" if detail else "")
        return AtlasApiError(reason, self._scrub(text)[:240], status, code)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _auth(self) -> requests.auth.AuthBase:
        if not self.settings.uses_service_account:
            digest = getattr(self._local, "digest", None)
            if digest is None:
                digest = HTTPDigestAuth(self.settings.public_key or "", self.settings.private_key or "")
                self._local.digest = digest
            return digest
        return _Bearer(self._bearer_token())

    def _bearer_token(self) -> str:
        with self._lock:
            if self._token and time.monotonic() < self._token_expires:
                return self._token
        url = self.settings.base_url + TOKEN_PATH
        credentials = (self.settings.client_id or "", self.settings.client_secret or "")
        response = self._call(
            lambda: self._session().post(
                url, auth=credentials, data={"grant_type": "client_credentials"},
                headers={"Accept": "application/json"}, timeout=self.settings.timeout,
            ),
            "oauth token",
        )
        if response.status_code != 200:
            raise AtlasApiError("auth_failed", f"the service-account token request was refused (HTTP {response.status_code})", response.status_code)
        try:
            body = response.json()
            token, lifetime = body["access_token"], float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise AtlasApiError("malformed", "the token answer has no access_token") from None
        if not isinstance(token, str) or not token:
            raise AtlasApiError("malformed", "the token answer has no access_token")
        with self._lock:
            self._token, self._token_expires = token, time.monotonic() + max(0.0, lifetime - 60.0)
        return token

    def _drop_token(self) -> None:
        with self._lock:
            self._token, self._token_expires = None, 0.0


class _Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request


def _retry_after(response: requests.Response) -> float | None:
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return None
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(raw)))
    except ValueError:
        return None
