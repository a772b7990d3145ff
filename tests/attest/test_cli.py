from __future__ import annotations

import subprocess
import sys

from attest.cli import main


def test_unknown_command_is_usage_error(capsys) -> None:
    try:
        main(["no-such-command"])
    except SystemExit as stop:
        assert stop.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice" in err


def test_no_command_prints_help_and_exits_2(capsys) -> None:
    assert main([]) == 2
    assert "usage: attest" in capsys.readouterr().err


def test_version_runs_as_module() -> None:
    done = subprocess.run([sys.executable, "-m", "attest", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("attest ")
