"""`attest sandbox up|down|seed`: a local estate (moto + the Atlas emulator) that outlives the command.

`up` starts it in a background process, writes every variable the collector needs to a 0600 env
file beside the state file, and prints `source <file>` plus the non-secret variables (never a key
or password, which would land in terminal scrollback and CI logs); `down` stops it and removes the
file;
`seed` restarts it with another estate (moto and the emulator are seeded at start, and the
emulator's endpoint ids come from moto, so a restart is the one consistent way to reseed).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from attest.core.errors import BadInputError, EvaluationError
from attest.core.process import pid_alive

START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
_SECRET_NAME = re.compile(r"SECRET|PRIVATE|PASSWORD|TOKEN|SALT")


def default_state_path() -> Path:
    return Path(os.environ.get("ATTEST_SANDBOX_STATE") or Path(tempfile.gettempdir()) / f"attest-sandbox-{os.getuid()}.json")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sandbox", help="run the local estate (moto + Atlas emulator) in the background")
    parser.add_argument("action", choices=("up", "down", "seed"), help="up: start; down: stop; seed: restart with --estate")
    parser.add_argument("--estate", default="default", help="estate name in sandbox/estates/ or a path (default: default)")
    parser.add_argument("--state", type=Path, default=None, help="state file (default: $ATTEST_SANDBOX_STATE or a temp file)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    state = args.state or default_state_path()
    if args.action == "down":
        return down(state)
    if args.action == "seed":
        down(state)
    return up(args.estate, state)


def _read_state(state: Path) -> dict[str, Any] | None:
    try:
        state_doc: dict[str, Any] = json.loads(state.read_text(encoding="utf-8"))
        return state_doc
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise BadInputError("not a sandbox state file", where=str(state)) from None


def up(estate: str, state: Path) -> int:
    from attest.sandbox.estate import estate_path  # the [sandbox] extra: imported only when asked for

    current = _read_state(state)
    if current is not None and pid_alive(int(current["pid"])):
        raise BadInputError(f"a sandbox is already running (pid {current['pid']}); `attest sandbox down` first", where=str(state))
    if not estate_path(estate).is_file():
        raise BadInputError("no such estate", where=str(estate_path(estate)))
    state.unlink(missing_ok=True)
    state.parent.mkdir(parents=True, exist_ok=True)
    log = state.with_suffix(".log")
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "attest.sandbox.local", "--estate", estate, "--state", str(state)],
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=handle,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while not state.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            if process.poll() is None:
                process.terminate()
            raise EvaluationError(f"the sandbox did not start; see {log}")
        time.sleep(0.2)
    variables = {str(k): str(v) for k, v in ((_read_state(state) or {}).get("env") or {}).items()}
    env_file = write_env_file(state, variables)
    sys.stdout.write(f"source {shlex.quote(str(env_file))}\n")
    for name, value in sorted(variables.items()):
        if not _SECRET_NAME.search(name):
            sys.stdout.write(f"export {name}={shlex.quote(value)}\n")
    sys.stderr.write(f"attest: sandbox up (pid {process.pid}, estate {estate}); stop it with `attest sandbox down`\n")
    return 0


def env_path(state: Path) -> Path:
    return state.with_suffix(".env")


def write_env_file(state: Path, variables: dict[str, str]) -> Path:
    """`export NAME=value` lines in a file only the owner can read (created 0600, never widened)."""
    path = env_path(state)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.writelines(f"export {name}={shlex.quote(value)}\n" for name, value in sorted(variables.items()))
    return path


def down(state: Path) -> int:
    current = _read_state(state)
    env_path(state).unlink(missing_ok=True)
    if current is None or not pid_alive(int(current["pid"])):
        state.unlink(missing_ok=True)
        sys.stderr.write("attest: no sandbox is running\n")
        return 0
    pid = int(current["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while pid_alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.1)
    if pid_alive(pid):
        raise EvaluationError(f"the sandbox (pid {pid}) did not stop within {STOP_TIMEOUT:.0f}s")
    moto_pid = int(current.get("moto_pid") or 0)
    if moto_pid and pid_alive(moto_pid):
        os.kill(moto_pid, signal.SIGTERM)
    state.unlink(missing_ok=True)
    sys.stderr.write(f"attest: sandbox down (pid {pid})\n")
    return 0


def _reap(pid: int) -> None:
    """Collect the exit status when the sandbox is our own child (same process started it)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
