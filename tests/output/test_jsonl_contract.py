"""The JSONL contract (version 2): a header with every rule's texts once, problem findings by reference to
their rule, one record per unit with its state counts, a closing summary; options for everything/complete lines."""

from __future__ import annotations

import json

import pytest

from compliance.cli import main
from compliance.findings import LISTED_STATES, STATES
from compliance.output.json import CONTRACT
from conftest import ROOT

ARGS = ["check", str(ROOT / "fixtures"), "--as-of", "2025-11-20", "--format", "jsonl"]


def records(runner, *extra: str) -> list[dict]:
    result = runner.invoke(main, [*ARGS, *extra])
    assert result.exit_code == 1, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def default(runner_module):
    return records(runner_module)


@pytest.fixture(scope="module")
def runner_module():
    from click.testing import CliRunner

    return CliRunner()


def test_the_first_line_is_a_versioned_header_with_each_rules_texts(default):
    header = default[0]
    assert header["record"] == "header" and header["contract"] == CONTRACT
    assert header["as_of"] == "2025-11-20" and not header["include_passed"] and not header["self_contained"]
    b2 = header["rules"]["B2"]
    assert b2["title"] == "工会建立经费审查委员会" and b2["basis"] and b2["measure"] and b2["evidence"]


def test_by_default_only_problems_to_act_on_are_written_referring_to_their_rule(default):
    findings = [r for r in default if r["record"] == "finding"]
    assert findings and {f["state"] for f in findings} <= set(LISTED_STATES)
    assert all("measure" not in f and "evidence" not in f and f["rule_id"] in default[0]["rules"] for f in findings)


def test_each_unit_has_a_record_counting_all_six_states_after_its_findings(default):
    units = [r for r in default if r["record"] == "unit"]
    summary = default[-1]
    assert len(units) == summary["units"] == 10 and summary["record"] == "summary" and summary["errors"] == []
    for state in STATES:
        assert sum(u["states"][state] for u in units) == summary["states"][state]
    listed = [r for r in default if r["record"] == "finding"]
    assert len(listed) == sum(u["states"][s] for u in units for s in LISTED_STATES)


def test_a_subject_with_its_own_basis_carries_it_on_the_line(default):
    rules = default[0]["rules"]
    for f in (r for r in default if r["record"] == "finding"):
        own = rules[f["rule_id"]].get("basis_for", {}).get(f["subject"])
        if own is not None and own != rules[f["rule_id"]]["basis"]:
            assert f["basis"] == own
        else:
            assert "basis" not in f


def test_include_passed_writes_every_result(runner_module, default):
    everything = records(runner_module, "--include-passed")
    findings = [r for r in everything if r["record"] == "finding"]
    assert len(findings) == sum(everything[-1]["states"].values())
    assert everything[0]["include_passed"]


def test_self_contained_lines_carry_the_rule_texts(runner_module):
    complete = [r for r in records(runner_module, "--self-contained") if r["record"] == "finding"]
    assert complete and all(f["measure"] and "evidence" in f and f["state"] in LISTED_STATES for f in complete)


def test_lines_go_to_a_file_as_encoded_bytes_and_read_the_same_as_through_a_text_stream(tmp_path):
    """Workers send each unit's lines as UTF-8 bytes, written straight under a UTF-8 file; a stream without a
    byte layer (``StringIO``) gets the same text."""
    import io

    from compliance.engine.domain import find_pack
    from compliance.engine.pack import load_pack
    from compliance.findings import Summary
    from compliance.output.jsonl import JsonlWriter
    from compliance.pipeline.run import check_stream
    from compliance.inputs.records import iter_records

    import datetime as dt

    pack = load_pack(find_pack("dangjian"))
    as_of = dt.date(2025, 11, 20)
    outcomes = list(check_stream(pack, iter_records([str(ROOT / "fixtures")], []), as_of, jobs=1))
    texts = []
    for stream in (io.StringIO(), open(tmp_path / "结果.jsonl", "w", encoding="utf-8")):
        writer = JsonlWriter(stream, pack, as_of)
        assert (writer.sink is None) == isinstance(stream, io.StringIO)
        summary = Summary()
        for outcome in outcomes:
            assert isinstance(writer.render(outcome), bytes)
            writer.add(outcome)
            outcome.count_into(summary)
        writer.close(summary, [])
        if isinstance(stream, io.StringIO):
            texts.append(stream.getvalue())
        else:
            stream.close()
            texts.append((tmp_path / "结果.jsonl").read_text(encoding="utf-8"))
    assert texts[0] == texts[1]
    assert texts[0].count("\n") == len(texts[0].splitlines()) > len(outcomes)
    assert all(json.loads(line)["record"] in ("header", "finding", "unit", "summary") for line in texts[0].splitlines())
