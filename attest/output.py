"""Writing results: to stdout, or atomically to a file given with --output."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from attest.core.errors import BadInputError


def write_text(text: str, output: str | None) -> None:
    """Write to `output` atomically (temp file + rename), or to stdout when it is None or '-'.

    A target that exists and is not a regular file (a device, a pipe) is written in place: renaming
    onto it would replace `/dev/null` itself when attest runs as root.
    """
    if output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(output)
    try:
        if target.exists() and not target.is_file():  # a device or pipe (/dev/null): never replace it
            with open(target, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        raise BadInputError(f"cannot write: {exc.strerror or exc}", where=str(output)) from None


def write_files(files: dict[str, str], directory: str | Path) -> list[Path]:
    """Write each named file into `directory` (atomically, as `write_text`), in order; return the paths."""
    written = []
    for name, content in files.items():
        target = Path(directory) / name
        write_text(content, str(target))
        written.append(target)
    return written
