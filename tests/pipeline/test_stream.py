"""Streaming input (JSON Lines, stdin, YAML directories) and streamed output of ``check``."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from compliance.output.csv import render_csv
from compliance.pipeline.run import check_files, check_records, parse_record
from compliance.findings import Summary
from compliance.cli import main
from compliance.output.table import render_table
from compliance.inputs.loader import InputError
from compliance.inputs.paths import expand_paths
from compliance.inputs.records import iter_records, jsonl_records, Record

from conftest import DANGJIAN, AS_OF, FIXTURES, minimal_profile, fixture_profiles


DATE = ["--as-of", AS_OF.isoformat()]


def fixture_lines() -> list[str]:
    return [p.model_dump_json(exclude_none=True) for p in fixture_profiles()]


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_jsonl_file_is_one_unit_per_line_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    lines = fixture_lines()
    path = write_jsonl(tmp_path / "units.jsonl", [lines[0], "", lines[1]])
    records = list(iter_records([str(path)], []))
    assert [r.source for r in records] == [f"{path}:1", f"{path}:3"]
    assert parse_record(records[1], DANGJIAN)[0].unit.id == json.loads(lines[1])["unit"]["id"]


def test_bad_lines_are_reported_with_file_and_line_and_the_rest_are_checked(runner, tmp_path: Path) -> None:
    good = fixture_lines()
    path = write_jsonl(tmp_path / "units.jsonl", [good[0], '{"unit": {"id": "X"}}', "{不是 JSON", "[1, 2]", good[1]])
    result = runner.invoke(main, ["check", str(path), *DATE, "--format", "jsonl"])
    assert result.exit_code == 2
    assert f"{path}:2: 字段 单位.单位名称 (unit.name): 缺少必填项" in result.stderr
    assert f"{path}:3:2: JSON 格式错误" in result.stderr
    assert f"{path}:4" in result.stderr and "每行应为一个 JSON 对象" in result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["source"] for r in records if r["record"] == "finding"} <= {f"{path}:1", f"{path}:5"}
    assert [(r["source"], r["ok"]) for r in records if r["record"] == "unit"] == [
        (f"{path}:1", True), (f"{path}:2", False), (f"{path}:3", False), (f"{path}:4", False), (f"{path}:5", True)]
    assert len(records[-1]["errors"]) == 3


def test_a_line_that_is_not_utf8_is_an_error_for_that_line_only(tmp_path: Path) -> None:
    raw = io.BytesIO(b'{"unit": {"id": "a", "name": "b"}}\n\xff\xfe\n')
    records = list(jsonl_records(raw, "x.jsonl"))
    assert records[0].problem is None
    assert records[1].problem is not None and records[1].problem.line == 2


def test_dash_reads_json_lines_from_standard_input(runner) -> None:
    lines = fixture_lines()
    result = runner.invoke(main, ["check", "-", *DATE, "--format", "csv"], input="\n".join(lines) + "\n")
    assert result.exit_code in (0, 1), result.output
    assert "标准输入:1" in result.stdout and "标准输入:2" in result.stdout


def test_a_directory_mixes_yaml_and_jsonl_files(runner, tmp_path: Path) -> None:
    shutil.copy(sorted(FIXTURES.glob("*.yaml"))[0], tmp_path / "a.yaml")
    write_jsonl(tmp_path / "b.jsonl", fixture_lines()[1:2])
    records = list(iter_records([str(tmp_path)], []))
    assert [r.source for r in records] == [str(tmp_path / "a.yaml"), f"{tmp_path / 'b.jsonl'}:1"]


def _old_outputs() -> dict[str, str]:
    """What ``check fixtures`` printed before streaming: every finding collected, then rendered."""
    from compliance.engine.domain import find_pack
    from compliance.engine.pack import load_pack
    from compliance.output.json import json_document, write_json

    pack = load_pack(find_pack("dangjian"))
    files, problems = expand_paths([str(FIXTURES)])
    summary, findings, units = Summary(), [], []
    for r in check_files(pack, files, AS_OF):
        if not r.ok:
            problems.extend(r.problems)
            summary.files_with_errors += 1
            units.append({"source": r.source, "ok": False, "unit_id": None, "unit_name": None})
            continue
        summary.add(r.findings)
        findings += r.findings
        units.append({"source": r.source, "ok": True, "unit_id": r.profile.unit.id, "unit_name": r.profile.unit.name})
    buffer = io.StringIO()
    write_json(json_document(findings, units, summary, problems, pack, AS_OF), buffer)
    return {"json": buffer.getvalue(), "csv": render_csv(findings, pack.domain),
            "table": render_table(findings, summary, pack, AS_OF), "md": render_table(findings, summary, pack, AS_OF, True)}


def test_streamed_outputs_are_identical_to_the_collected_ones(runner) -> None:
    old = _old_outputs()
    for fmt, text in old.items():
        result = runner.invoke(main, ["check", str(FIXTURES), *DATE, "--format", fmt, "--jobs", "1"])
        assert result.stdout == text.replace("\r\n", "\n"), fmt  # click's Result.stdout normalises newlines


def test_json_output_with_errors_is_a_valid_document(runner, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "u.jsonl", ["{bad", fixture_lines()[0]])
    result = runner.invoke(main, ["check", str(path), *DATE, "--format", "json"])
    doc = json.loads(result.stdout)
    assert [u["ok"] for u in doc["units"]] == [False, True]
    assert doc["errors"][0]["line"] == 1 and doc["summary"]["files_with_errors"] == 1


def test_self_contained_jsonl_with_passed_results_has_the_findings_of_the_json_document(runner) -> None:
    result = runner.invoke(main, ["check", str(FIXTURES), *DATE, "--format", "jsonl", "--include-passed",
                                  "--self-contained"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    doc = json.loads(runner.invoke(main, ["check", str(FIXTURES), *DATE, "--format", "json"]).stdout)
    findings = [{k: v for k, v in r.items() if k != "record"} for r in rows if r["record"] == "finding"]
    assert findings == doc["findings"]


def test_a_record_that_breaks_the_engine_becomes_an_error_not_a_stop(pack) -> None:
    def broken(pack, units, as_of):
        raise RuntimeError("boom")

    records = [Record("a.jsonl", 1, json.dumps(minimal_profile())), Record("a.jsonl", 2, "{")]
    outcomes = check_records(pack, records, AS_OF, broken)
    assert [o.ok for o in outcomes] == [False, False]
    assert "内部错误" in outcomes[0].problems[0].message and outcomes[0].problems[0].file == "a.jsonl:1"
    good = check_records(pack, records, AS_OF)
    assert good[0].ok and good[0].findings and not good[1].ok


def test_parse_record_can_tag_the_stage_of_each_problem_for_validate() -> None:
    from compliance.inputs.loader import InputError as Error

    stages = {}
    for name, record in {"SYNTAX": Record("a.jsonl", 4, "{"), "SCHEMA": Record("a.jsonl", 5, '{"unit": {}}'),
                         "READ": Record("missing.yaml")}.items():
        try:
            parse_record(record, DANGJIAN, tag=True)
        except Error as exc:
            stages[name] = {p.code for p in exc.problems}
            if record.line:
                assert {p.line for p in exc.problems} == {record.line}
    assert stages == {"SYNTAX": {"SYNTAX"}, "SCHEMA": {"SCHEMA"}, "READ": {"READ"}}


def test_very_deep_json_lines_are_refused_with_their_line(tmp_path: Path) -> None:
    deep = '{"unit": {"id": "a", "name": "b"}, "notes": ' + "[" * 70 + "]" * 70 + "}"
    records = list(jsonl_records(io.BytesIO(deep.encode() + b"\n"), "d.jsonl"))
    try:
        parse_record(records[0], DANGJIAN)
        raise AssertionError("应拒绝")
    except InputError as exc:
        assert "嵌套层级过深" in exc.problems[0].message and exc.problems[0].line == 1


def test_the_fast_json_encoders_write_exactly_what_json_dumps_writes(pack) -> None:
    import datetime as dt

    from compliance.engine.evaluate import check_unit
    from compliance.domains.dangjian.facts import derive
    from compliance.domains.dangjian.profile import Profile
    from compliance.output.json import encode_findings, pretty

    profile = Profile.model_validate(minimal_profile(
        unit={"name": '引号"与\\反斜杠\t制表', "staff_total": 30},
        waivers=[{"rule": r.id, "document": "批复", "expires": "2020-01-01"} for r in pack.rules]))
    findings = check_unit(pack, derive(profile, AS_OF), AS_OF, "a.jsonl:7")
    findings[0].facts = {"列表": [dt.date(2025, 1, 2), 1.5, None, {"嵌套": []}], "空": {}, "真": True}
    assert any(f.waiver for f in findings)
    expected = [json.dumps(f.to_dict(), ensure_ascii=False) for f in findings]
    assert encode_findings(findings) == expected
    indented = [json.dumps(f.to_dict(), ensure_ascii=False, indent=2).replace("\n", "\n    ") for f in findings]
    assert encode_findings(findings, "    ") == indented
    value = {"a": [1, 2.5, -0.0, 1e20, {"b": None}], 3: "x", None: True, "c": [[]]}
    assert pretty(value, "  ") == json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")


def test_count_skips_items_whose_leading_equality_fails_with_the_same_result() -> None:
    """The fast path of ``count`` (used on every unit of a large run) keeps three-valued counting."""
    from compliance.engine.conditions import Compiler, Ctx, FactType

    event = FactType("object", children={"type": FactType("str"), "n": FactType("int")})
    schema = FactType("object", children={"events": FactType("list", element=event)})
    spec = {"count": {"of": "events", "where": {"all": [{"fact": "this.type", "eq": "a"}, {"fact": "this.n", "gt": 1}]}},
            "gte": 2, "label": "次数"}
    compiled = Compiler(schema, {}).compile(spec, "t")
    events = [{"type": "b", "n": "不是数字"}, {"type": "a", "n": 2}, {"type": None, "n": 5}, {"type": "a", "n": 0}]
    ctx = Ctx({"events": events}, {}, AS_OF)
    assert compiled.run(ctx) is None  # 1 certain + 1 unknown: "≥ 2" cannot be decided
    assert ctx.used == {"次数": "1–2"}


def test_ledger_sync_and_report_read_json_lines_in_a_directory_one_unit_per_line(runner, pack, tmp_path: Path) -> None:
    units = tmp_path / "units"
    units.mkdir()
    shutil.copy(sorted(FIXTURES.glob("*.yaml"))[0], units / "a.yaml")
    write_jsonl(units / "b.jsonl", fixture_lines()[1:3])
    files, _ = expand_paths([str(units)])
    results = list(check_files(pack, files, AS_OF))
    assert [r.source for r in results] == [str(units / "a.yaml"), f"{units / 'b.jsonl'}:1", f"{units / 'b.jsonl'}:2"]
    assert all(r.ok and r.profile is not None for r in results)
    sync = runner.invoke(main, ["ledger", "sync", str(units), *DATE, "--db", str(tmp_path / "l.sqlite")])
    assert sync.exit_code == 0, sync.output
    assert "同步3个单位" in sync.output
    report = runner.invoke(main, ["report", str(units), *DATE, "-o", str(tmp_path / "out"), "--format", "md"])
    assert report.exit_code == 0, report.output
    assert "3个单位" in report.output



def test_an_output_that_lists_no_passes_gets_them_counted_not_built_with_the_same_counts_and_rows(tmp_path):
    """csv, table, md, sarif and default jsonl list neither 符合 nor 不适用: the evaluator only counts those."""
    from compliance.engine.pack import load_pack
    from compliance.engine.domain import find_pack
    from compliance.output.csv import CsvWriter
    from compliance.pipeline.run import check_stream

    pack = load_pack(find_pack("dangjian"))
    writer = CsvWriter(io.StringIO(), pack, AS_OF)
    assert writer.settled is False
    runs = {}
    for settled in (True, False):
        records = iter_records([str(FIXTURES)], [])
        runs[settled] = list(check_stream(pack, records, AS_OF, jobs=1, render=writer.render, settled=settled))
    built, counted = runs[True], runs[False]
    assert [o.states for o in built] == [o.states for o in counted]
    assert [o.rendered for o in built] == [o.rendered for o in counted]
    assert sum(o.states["pass"] + o.states["not_applicable"] for o in counted) > 100
    assert all(o.settled is None for o in built)
    assert sum(o.settled["pass"] for o in counted if o.ok) == sum(o.states["pass"] for o in counted)


def test_a_unit_counts_the_same_into_the_summary_before_and_after_it_is_compacted(pack) -> None:
    record = Record("a.jsonl", 1, json.dumps(minimal_profile()))
    outcome = check_records(pack, [record], AS_OF, settled=False)[0]
    assert outcome.ok and outcome.settled["not_applicable"] > 0  # 不适用 only counted, not built
    before, after = Summary(), Summary()
    outcome.count_into(before)
    outcome.compact(lambda o: b"")
    outcome.count_into(after)
    assert before == after and before.units == 1
    assert before.states["not_applicable"] == outcome.settled["not_applicable"]
