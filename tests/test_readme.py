"""Every command in the README (after the two set-up commands) works as written, in a fresh folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

BLOCKS = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
EXPECTED_EXIT = {"compliance check --pack sanhui": 1}
"""Commands whose documented exit code is not 0 (the example units have 严重 problems)."""


def commands() -> list[str]:
    lines = [line.strip() for block in BLOCKS[2:] for line in block.splitlines()]
    return [re.sub(r"\s+# .*$", "", line) for line in lines if line and not line.startswith("#")]


def test_the_readme_has_exactly_two_set_up_commands_then_the_rest():
    first, second = (block.strip() for block in BLOCKS[:2])
    assert "compliance check fixtures/" in first and "pytest" in second
    assert len(commands()) >= 10


@pytest.mark.slow
def test_every_readme_command_runs_as_written(tmp_path: Path):
    for folder in ("fixtures", "fixtures-sanhui"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "COMPLIANCE_DB": str(tmp_path / "ledger.sqlite")}
    for command in commands():
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        want = next((code for prefix, code in EXPECTED_EXIT.items() if command.startswith(prefix)), 0)
        assert done.returncode == want, f"{command}\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr, command
