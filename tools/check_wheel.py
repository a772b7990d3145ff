"""Build the wheel, install it with the [sandbox] extra in a new venv, and run `attest demo` there.

The packaging tests (tests/test_packaging.py) install the runtime alone; this is the slower half
of "a wheel built from a fresh clone runs the demo": minutes, for moto's server and its
dependencies. Run: `make check-wheel` (or `.venv/bin/python tools/check_wheel.py`).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*command: str, cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> None:
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "ATTEST_CHECKOV")}
    code = subprocess.run(command, check=False, cwd=cwd, env=env).returncode
    sys.stderr.write(f"check-wheel: {time.monotonic() - started:6.1f}s  exit {code}  {' '.join(command[-3:])}\n")
    if code not in ok:
        raise SystemExit(f"check-wheel: {' '.join(command)} exited {code}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="attest-wheel-") as tmp:
        work = Path(tmp)
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(work / "dist"), str(ROOT))
        (wheel,) = (work / "dist").glob("attest_compliance-*.whl")
        run(sys.executable, "-m", "venv", str(work / "venv"))
        python = str(work / "venv" / "bin" / "python")
        # the [test] lock holds the runtime and [sandbox] with their hashes; the wheel's extra then resolves offline
        run(python, "-m", "pip", "install", "--quiet", "--require-hashes", "--no-deps", "-r", str(ROOT / "constraints.txt"))
        run(python, "-m", "pip", "install", "--quiet", "--no-deps", f"{wheel}[sandbox]")
        run(python, "-m", "pip", "check")
        attest = str(work / "venv" / "bin" / "attest")
        run(attest, "--version", cwd=work)
        # the seeded estate plants known violations: the demo's verdict is exit 1 by design
        run(attest, "demo", "--output", str(work / "out"), cwd=work, ok=(0, 1))
        for name in ("snapshot.json", "findings.json", "reports/control-mapping.html"):
            if not (work / "out" / name).is_file():
                sys.stderr.write(f"check-wheel: the demo wrote no {name}\n")
                return 1
    sys.stderr.write("check-wheel: the wheel with [sandbox] ran `attest demo`\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
