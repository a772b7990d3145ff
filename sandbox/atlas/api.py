"""The Admin API v2 surface of the emulator: routes, versioned media types, paging, error bodies.

Order of checks mirrors the real service: authentication (401 with a Digest challenge), routing
(404), the versioned Accept header (406), the principal's role (403), then planted faults, then the
answer. Only the versions listed per operation are modelled; any other date is a 406.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from attest.sandbox.atlas.auth import Authenticator
from attest.sandbox.atlas.estate import AtlasEstate, Item, Principal, Project
from attest.sandbox.atlas.faults import Fault, FaultPlan

PREFIX = "/api/atlas/v2"
V2023, V2024 = "2023-01-01", "2024-08-05"
RATE_LIMIT = 1200
LINK_BASE = "https://cloud.mongodb.com"  # links name the public host, so answers do not vary with the port
DEFAULT_PAGE, MAX_PAGE = 100, 500
_REASONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    406: "Not Acceptable", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
}
_CODES = {500: "UNEXPECTED_ERROR", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT"}


@dataclass(frozen=True)
class Operation:
    """One GET operation: its spec id, the versions modelled, the answer's kind, owner-only or not."""

    id: str
    rule: str
    versions: tuple[str, ...]
    kind: str                      # "object" | "array" | "paged"
    owner_only: bool = False


OPERATIONS = (
    Operation("getGroup", "/groups/<gid>", (V2023,), "object"),
    Operation("listGroupClusters", "/groups/<gid>/clusters", (V2024,), "paged"),
    Operation("getGroupCluster", "/groups/<gid>/clusters/<name>", (V2024,), "object"),
    Operation("getGroupClusterProcessArgs", "/groups/<gid>/clusters/<name>/processArgs", (V2023, V2024), "object"),
    Operation("listGroupPrivateEndpointEndpointService", "/groups/<gid>/privateEndpoint/<cloud>/endpointService", (V2023,), "array"),
    Operation("getGroupPrivateEndpointEndpointService", "/groups/<gid>/privateEndpoint/<cloud>/endpointService/<sid>", (V2023,), "object"),
    Operation(
        "getGroupPrivateEndpointEndpointServiceEndpoint",
        "/groups/<gid>/privateEndpoint/<cloud>/endpointService/<sid>/endpoint/<eid>",
        (V2023,),
        "object",
    ),
    Operation("listGroupDatabaseUsers", "/groups/<gid>/databaseUsers", (V2023,), "paged"),
    Operation("listGroupAccessListEntries", "/groups/<gid>/accessList", (V2023,), "paged"),
    Operation("listGroupCustomDbRoleRoles", "/groups/<gid>/customDBRoles/roles", (V2023,), "array"),
    Operation("getGroupAuditLog", "/groups/<gid>/auditLog", (V2023,), "object", owner_only=True),
    Operation("getGroupUserSecurity", "/groups/<gid>/userSecurity", (V2023,), "object", owner_only=True),
    Operation("getGroupEncryptionAtRest", "/groups/<gid>/encryptionAtRest", (V2023,), "object"),
    Operation("getOrgGroups", "/orgs/<oid>/groups", (V2023,), "paged"),
    Operation("getOrgSettings", "/orgs/<oid>/settings", (V2023,), "object"),
)
_BY_ID = {op.id: op for op in OPERATIONS}
_MAP = Map(
    [Rule(PREFIX + op.rule, endpoint=op.id, methods=["GET"]) for op in OPERATIONS]
    + [Rule("/api/oauth/token", endpoint="token", methods=["POST"]),
       Rule("/_emulator/faults", endpoint="faults", methods=["GET", "POST"])],
    strict_slashes=False,
)


class ApiError(Exception):
    """An answer in the real error shape: {error, errorCode, detail, reason, parameters}.

    `parameters` stays empty: the spec types its items as objects, and what goes in them varies.
    """

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


def error_response(err: ApiError, headers: dict[str, str] | None = None) -> Response:
    body = {
        "detail": err.detail,
        "error": err.status,
        "errorCode": err.code,
        "parameters": [],
        "reason": _REASONS.get(err.status, "Error"),
    }
    response = Response(json.dumps(body, separators=(",", ":"), sort_keys=True), status=err.status, content_type="application/json")
    response.headers["X-Error-Code"] = err.code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class AtlasApi:
    """The WSGI application."""

    def __init__(self, estate: AtlasEstate, faults: FaultPlan, sleep: Callable[[float], None] = time.sleep) -> None:
        self.estate = estate
        self.faults = faults
        self.auth = Authenticator(estate.api_keys, estate.service_accounts)
        self._sleep = sleep
        self._lock = threading.Lock()
        self._calls = 0
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests answered at once: what a client's concurrency bound allows

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            response = self._dispatch(request)
        finally:
            with self._lock:
                self.in_flight -= 1
        with self._lock:
            self._calls += 1
            remaining = max(0, RATE_LIMIT - 1 - self._calls % RATE_LIMIT)
        response.headers["RateLimit-Limit"] = str(RATE_LIMIT)
        response.headers["RateLimit-Remaining"] = str(remaining)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        adapter = _MAP.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except NotFound:
            endpoint, args = None, {}
        except MethodNotAllowed:
            return error_response(ApiError(405, "METHOD_NOT_ALLOWED", f"Method {request.method} is not allowed here."))
        if endpoint == "token":
            return self._token(request)
        if endpoint == "faults":
            return self._faults(request)
        principal = self.auth.principal(request.headers.get("Authorization"), request.method, _request_uri(request))
        if principal is None:
            err = ApiError(401, "UNAUTHORIZED", "You are not authorized for this resource.")
            return error_response(err, {"WWW-Authenticate": self.auth.challenge()})
        if endpoint is None:
            return error_response(ApiError(404, "RESOURCE_NOT_FOUND", f"Cannot find resource {request.path}."))
        try:
            return self._answer(request, _BY_ID[endpoint], dict(args), principal)
        except ApiError as err:
            return error_response(err)

    def _answer(self, request: Request, op: Operation, args: dict[str, str], principal: Principal) -> Response:
        version = _version(request.headers.get("Accept", ""), op)
        if op.owner_only and not principal.is_owner:
            raise ApiError(403, "USER_UNAUTHORIZED", "Current user is not authorized to perform this action.")
        page, size, include_count = _paging(request) if op.kind == "paged" else (1, DEFAULT_PAGE, True)
        size = self.faults.effective_page_size(size)
        delay = self.faults.latency(op.id)
        if delay:
            self._sleep(delay)
        fault = self.faults.decide(op.id, page if op.kind == "paged" else None)
        if fault is not None and fault.status is not None:
            return _fault_response(fault, op.id)
        data = self._data(op, args, version)
        if op.kind == "paged":
            body: Any = _page(LINK_BASE, request.path, data, page, size, include_count)
        elif op.kind == "array":
            body = [_with_links(LINK_BASE, item) for item in data]
        else:
            body = _with_links(LINK_BASE, data)
        return _json_response(body, version, op, fault)

    def _data(self, op: Operation, args: dict[str, str], version: str) -> Any:
        if op.id in ("getOrgGroups", "getOrgSettings"):
            if args["oid"] != self.estate.org_id:
                raise ApiError(404, "ORG_NOT_FOUND", f"Organization {args['oid']} not found.")
            if op.id == "getOrgSettings":
                return self.estate.org_settings
            return [p.group for p in self.estate.projects.values()]
        project = self.estate.projects.get(args["gid"])
        if project is None:
            raise ApiError(404, "GROUP_NOT_FOUND", f"No group with ID {args['gid']} exists.")
        if "cloud" in args and args["cloud"] != "AWS":
            raise ApiError(400, "INVALID_PROVIDER", f"No provider {args['cloud']} exists in this project.")
        return _project_data(project, op.id, args, version)

    def _token(self, request: Request) -> Response:
        token = self.auth.issue_token(request.headers.get("Authorization"), request.form.get("grant_type"))
        if token is None:
            refused = {"error": "invalid_client", "error_description": "Invalid client credentials."}
            return Response(json.dumps(refused), status=401, content_type="application/json")
        body = {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}
        return Response(json.dumps(body), status=200, content_type="application/json")

    def _faults(self, request: Request) -> Response:
        """Loopback-only control of the fault plan (for a sandbox running in another process)."""
        if request.remote_addr not in ("127.0.0.1", "::1"):
            return error_response(ApiError(403, "FORBIDDEN", "The fault endpoint answers loopback callers only."))
        if request.method == "GET":
            return Response(json.dumps({"ok": True}), content_type="application/json")
        try:
            spec = json.loads(request.get_data(as_text=True) or "{}")
            if not isinstance(spec, dict):
                raise ValueError("a fault plan is a JSON object")
            self.faults.configure(spec)
        except (ValueError, TypeError) as exc:
            return error_response(ApiError(400, "INVALID_FAULT_PLAN", str(exc)))
        return Response(json.dumps({"ok": True}), content_type="application/json")


def _project_data(project: Project, op_id: str, args: dict[str, str], version: str) -> Any:
    if op_id == "getGroup":
        return project.group
    if op_id == "listGroupClusters":
        return list(project.clusters.values())
    if op_id in ("getGroupCluster", "getGroupClusterProcessArgs"):
        cluster = project.clusters.get(args["name"])
        if cluster is None:
            raise ApiError(404, "CLUSTER_NOT_FOUND", f"No cluster named {args['name']} exists in group {args['gid']}.")
        if op_id == "getGroupCluster":
            return cluster
        doc = dict(project.process_args[args["name"]])
        if version == V2023:
            doc.update({"defaultReadConcern": None, "failIndexKeyTooLong": None})
        return Item(None, doc)
    if op_id == "listGroupPrivateEndpointEndpointService":
        return list(project.endpoint_services.values())
    if op_id.startswith("getGroupPrivateEndpointEndpointService"):
        service = project.endpoint_services.get(args["sid"])
        if service is None:
            raise ApiError(404, "PRIVATE_ENDPOINT_SERVICE_NOT_FOUND", f"Private endpoint service {args['sid']} not found.")
        if op_id == "getGroupPrivateEndpointEndpointService":
            return service
        endpoint = project.interface_endpoints.get((args["sid"], args["eid"]))
        if endpoint is None:
            raise ApiError(404, "PRIVATE_ENDPOINT_NOT_FOUND", f"Private endpoint {args['eid']} not found.")
        return endpoint
    if op_id == "listGroupDatabaseUsers":
        return project.database_users
    if op_id == "listGroupAccessListEntries":
        return project.access_list
    if op_id == "listGroupCustomDbRoleRoles":
        return project.custom_db_roles
    if op_id == "getGroupAuditLog":
        return project.audit_log
    if op_id == "getGroupEncryptionAtRest":
        return project.encryption_at_rest
    return Item(None, {"customerX509": {}, "ldap": {"authenticationEnabled": False, "authorizationEnabled": False}})


def _request_uri(request: Request) -> str:
    """The request target as sent (what a Digest `uri` must equal)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        return str(raw)
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def _version(accept: str, op: Operation) -> str:
    """The single version date the Accept header asks for, if this operation has it; else 406."""
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media.startswith("application/vnd.atlas.") and media.endswith("+json"):
            date = media[len("application/vnd.atlas."):-len("+json")]
            if date in op.versions:
                return date
    raise ApiError(406, "INVALID_VERSION_DATE", "Invalid accept header or version date.")


def _paging(request: Request) -> tuple[int, int, bool]:
    def number(name: str, default: int, low: int, high: int) -> int:
        raw = request.args.get(name)
        if raw is None:
            return default
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise ApiError(400, "INVALID_QUERY_PARAMETER", f"Invalid value {raw} for query parameter {name}.")
        return int(raw)

    include = request.args.get("includeCount", "true").lower()
    if include not in ("true", "false"):
        raise ApiError(400, "INVALID_QUERY_PARAMETER", f"Invalid value {include} for query parameter includeCount.")
    return number("pageNum", 1, 1, 10**6), number("itemsPerPage", DEFAULT_PAGE, 1, MAX_PAGE), include == "true"


def _with_links(base: str, item: Item) -> dict[str, Any]:
    doc = dict(item.doc)
    if item.path is not None:
        doc["links"] = [{"href": base + item.path, "rel": "self"}]
    return doc


def _page(base: str, path: str, items: list[Item], page: int, size: int, include_count: bool) -> dict[str, Any]:
    def link(number: int, rel: str) -> dict[str, str]:
        query = f"includeCount={'true' if include_count else 'false'}&pageNum={number}&itemsPerPage={size}"
        return {"href": f"{base}{path}?{query}", "rel": rel}

    start = (page - 1) * size
    links = [link(page, "self")]
    if page > 1:
        links.insert(0, link(page - 1, "previous"))
    if start + size < len(items):
        links.append(link(page + 1, "next"))
    body: dict[str, Any] = {"links": links, "results": [_with_links(base, i) for i in items[start:start + size]]}
    if include_count:
        body["totalCount"] = len(items)
    return body


def _fault_response(fault: Fault, op_id: str) -> Response:
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    if fault.status == 429:
        err = ApiError(429, "RATE_LIMITED", "Resource /api/atlas/v2 is limited to 100 requests every 1 minutes.")
    elif fault.status == 403:
        err = ApiError(403, "USER_UNAUTHORIZED", "Current user is not authorized to perform this action.")
    else:
        status = fault.status or 500
        err = ApiError(status, _CODES.get(status, "UNEXPECTED_ERROR"), f"Unexpected error while serving {op_id}.")
    return error_response(err, headers)


def _json_response(body: Any, version: str, op: Operation, fault: Fault | None) -> Response:
    if fault is not None and fault.malformed == "shape":
        body = _wrong_shape(body, op.kind)
    text = json.dumps(body, separators=(",", ":"), sort_keys=True)
    if fault is not None and fault.malformed == "truncated":
        text = text[: max(1, len(text) // 2)]
    response = Response(text, status=200, content_type=f"application/vnd.atlas.{version}+json;charset=utf-8")
    if op.id == "getGroupClusterProcessArgs" and version == V2023:
        response.headers["Deprecation"] = "Mon, 5 Aug 2024 00:00:00 GMT"
        response.headers["Sunset"] = "Thu, 1 Jul 2027 00:00:00 GMT"
    return response


def _wrong_shape(body: Any, kind: str) -> Any:
    """A well-formed JSON answer of the wrong shape for its operation."""
    if kind == "paged":
        return {"links": body["links"], "result": body["results"]}
    if kind == "array":
        return {"results": body}
    return [body]
