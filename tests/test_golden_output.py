"""Golden outputs: the fixtures' 问题清单 (json/md/csv) and the Markdown report stay byte-for-byte the same.

Regenerate only for an intended change of output, and say why in the commit:
``compliance check fixtures/ --as-of 2025-11-20 --format json -o tests/golden/check.json`` (md, csv likewise) and
``compliance report fixtures/ --as-of 2025-11-20 --format md -o DIR`` (copy 督查报告.md and 检查提纲/).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.parametrize("fmt", ["json", "md", "csv"])
def test_check_output_matches_golden(runner, tmp_path, monkeypatch, fmt):
    from compliance.cli import main

    monkeypatch.chdir(ROOT)
    out = tmp_path / f"check.{fmt}"
    result = runner.invoke(main, ["check", "fixtures/", "--as-of", "2025-11-20", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert out.read_bytes() == (GOLDEN / f"check.{fmt}").read_bytes()


def test_markdown_report_matches_golden(runner, tmp_path, monkeypatch):
    from compliance.cli import main

    monkeypatch.chdir(ROOT)
    result = runner.invoke(main, ["report", "fixtures/", "--as-of", "2025-11-20", "--format", "md", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    expected = sorted(p.relative_to(GOLDEN / "report") for p in (GOLDEN / "report").rglob("*.md"))
    produced = sorted(p.relative_to(tmp_path) for p in Path(tmp_path).rglob("*.md"))
    assert produced == expected
    for rel in expected:
        assert (tmp_path / rel).read_bytes() == (GOLDEN / "report" / rel).read_bytes(), rel
