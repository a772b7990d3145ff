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
    _write_file(text.encode("utf-8"), output)


def write_utf8(data: bytes, output: str | None) -> None:
    """`write_text` for text already encoded as UTF-8: a file gets the bytes as they are (the
    Results JSON of 100,000 resources is 200 MB, decoded and encoded again for nothing otherwise)."""
    if output in (None, "-"):
        write_text(data.decode("utf-8"), output)
        return
    _write_file(data, output)


def _write_file(data: bytes, output: str) -> None:
    target = Path(output)
    try:
        if target.exists() and not target.is_file():  # a device or pipe (/dev/null): never replace it
            with open(target, "wb") as stream:
                stream.write(data)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
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
