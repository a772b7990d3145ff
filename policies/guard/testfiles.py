"""Test files and fixtures: which files they are (`test_files` globs) and the policy their findings
fall under (`test_policy`). A test that swaps a module's collection for an in-memory one writes
through a value the analysis cannot tell from the reference handle (it does not follow the order
in which a test runs), so by default a finding sited in a test file is reported, not blocking."""
from __future__ import annotations

import re
from functools import lru_cache

DEFAULT_TEST_FILES = ("**/*.test.*", "**/*.spec.*", "**/__tests__/**", "**/__mocks__/**", "**/test/**",
                      "**/tests/**", "**/fixtures/**", "**/e2e/**", "**/cypress/**", "**/playwright/**")
POLICIES = ("report", "enforce")  # report: listed with status `test`, never blocking; enforce: as any code


@lru_cache(maxsize=64)
def _regex(pattern: str) -> re.Pattern[str]:
    """A glob: `**/` any leading directories (none included), `**` anything, `*` anything but `/`."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def is_test_file(rel: str, patterns: tuple[str, ...]) -> bool:
    return any(_regex(p).match(rel) for p in patterns)
