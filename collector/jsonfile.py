"""Reading a JSON document from a file, with every failure as one located BadInputError."""
from __future__ import annotations

import json
from typing import Any

from collector.errors import BadInputError


def load_json(path: str) -> Any:
    """The decoded document; truncated or malformed JSON names the file, line and column."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise BadInputError("file not found", where=path) from None
    except json.JSONDecodeError as exc:
        raise BadInputError(f"not valid JSON: {exc.msg}", where=f"{path}:{exc.lineno}:{exc.colno}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"cannot read: {exc.__class__.__name__}", where=path) from None
