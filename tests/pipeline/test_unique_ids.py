"""Unit ids are unique within a run: a second profile of the same unit is an input error naming both files
(and lines for JSON Lines) in check, report and validate; the other units are still checked; exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from compliance.cli import main
from compliance.inputs.loader import Problem
from compliance.pipeline.run import Outcome
from compliance.pipeline.unique import DUPLICATE, duplicate_ids

from conftest import AS_OF, FIXTURES, fixture_profiles

DATE = ["--as-of", AS_OF.isoformat()]


def batch(tmp_path: Path) -> Path:
    """Three units, the third a copy of the first under another file name (an older submission)."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("01-shi-caizhengju.yaml", "02-shi-shuiliju.yaml"):
        shutil.copy(FIXTURES / name, folder / name)
    shutil.copy(FIXTURES / "01-shi-caizhengju.yaml", folder / "03-copy.yaml")
    return folder


def test_check_refuses_the_second_profile_of_a_unit_naming_both_files_and_checks_the_others(runner, tmp_path):
    folder = batch(tmp_path)
    result = runner.invoke(main, ["check", str(folder), *DATE, "--format", "json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert [u["ok"] for u in doc["units"]] == [True, True, False]
    error = doc["errors"][0]
    assert error["file"].endswith("03-copy.yaml") and error["code"] == DUPLICATE
    assert "01-shi-caizhengju.yaml" in error["message"] and "重复" in error["message"]
    assert {f["source"] for f in doc["findings"]} == {str(folder / "01-shi-caizhengju.yaml"),
                                                      str(folder / "02-shi-shuiliju.yaml")}
    assert "03-copy.yaml" in result.stderr and "01-shi-caizhengju.yaml" in result.stderr


def test_a_repeated_json_line_is_located_at_its_line_and_names_the_first(runner, tmp_path):
    lines = [p.model_dump_json(exclude_none=True) for p in fixture_profiles()[:2]]
    path = tmp_path / "units.jsonl"
    path.write_text("\n".join([lines[0], lines[1], lines[0]]) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["check", str(path), *DATE, "--format", "jsonl", "-j", "2"])
    assert result.exit_code == 2
    assert f"{path}:3: 字段 unit.id: 单位编号「" in result.stderr and f"{path} 第1行" in result.stderr


def test_validate_fails_the_second_profile_of_a_unit(runner, tmp_path):
    folder = batch(tmp_path)
    result = runner.invoke(main, ["validate", str(folder), *DATE, "--format", "json"])
    assert result.exit_code == 2
    files = {Path(f["file"]).name: f for f in json.loads(result.stdout)["files"]}
    assert files["01-shi-caizhengju.yaml"]["valid"] and files["02-shi-shuiliju.yaml"]["valid"]
    assert [e["code"] for e in files["03-copy.yaml"]["errors"]] == [DUPLICATE]


def test_report_lists_the_duplicate_as_an_input_error_and_reports_the_other_units(runner, tmp_path):
    folder = batch(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(main, ["report", str(folder), "-o", str(out), *DATE, "--format", "md"])
    assert result.exit_code == 2, result.output
    assert "03-copy.yaml" in result.stderr and "重复" in result.stderr
    assert any(out.iterdir())


def test_duplicate_ids_finds_duplicates_marked_or_not_for_callers_that_refuse_a_batch():
    ok = [Outcome("a.yaml", unit_id="U1"), Outcome("b.yaml", unit_id="U2"), Outcome("c.jsonl:4", unit_id="U1")]
    found = duplicate_ids(ok)
    assert [(p.file, p.line, p.code) for p in found] == [("c.jsonl", 4, DUPLICATE)]
    marked = [Outcome("a.yaml", unit_id="U1"), Outcome("c.yaml", problems=[found[0]]),
              Outcome("d.yaml", problems=[Problem("d.yaml", "坏")])]
    assert duplicate_ids(marked) == [found[0]]


def test_remembering_fifty_thousand_unit_ids_takes_a_few_megabytes_and_still_names_the_first_line():
    """A national run holds millions of ids: 20–40 bytes each, not a dict of two strings (about 175)."""
    import tracemalloc

    from compliance.pipeline.unique import UniqueIds

    tracemalloc.start()
    try:
        seen = UniqueIds()
        for i in range(50_000):
            assert seen.problem(f"U-{i:07d}", f"批次/第{i // 10_000}部分.jsonl:{i % 10_000 + 1}") is None
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < 4_000_000
    assert peak < 1.2 * held  # the tables grow one at a time: never two copies of everything
    assert len(seen) == 50_000
    problem = seen.problem("U-0031234", "迟交.jsonl:7")
    assert problem is not None and "批次/第3部分.jsonl 第1235行" in problem.message and problem.line == 7
    assert seen.problem("U-0031234", "批次/第3部分.jsonl:1235") is None


def test_a_file_name_that_looks_like_a_line_is_remembered_as_given():
    """``x:²`` (not a line number) and ``x:007`` (not as a line is written) are whole files: no crash, and seeing the
    same source again is not a duplicate."""
    from compliance.pipeline.unique import UniqueIds

    seen = UniqueIds()
    for source in ("目录/档案:²", "档案:007", "档案:0", "C:\\档案.yaml", "批次.jsonl:3"):
        assert seen.problem(f"U-{source}", source) is None
        assert seen.problem(f"U-{source}", source) is None
        assert seen.problem(f"U-{source}", "迟交.yaml") is not None
