"""Every writer survives hostile unit-supplied text (names, file names, messages) even though validation
refuses it: no crash, no control characters, ANSI escapes, NUL or lone surrogates in what it writes,
no HTML or formula that a viewer would run, and a 1 MB name costs no more than its length."""

from __future__ import annotations

import copy
import csv
import dataclasses
import functools
import io
import json
import xml.etree.ElementTree as ET

import pytest

from compliance.findings import Summary
from compliance.inputs.loader import Problem
from compliance.inputs.text import TERMINAL_LIMIT, for_json, for_terminal, for_xml
from compliance.output import FORMATS, make_writer
from compliance.output.verdicts import VerdictReport
from compliance.pipeline.run import check_files
from compliance.pipeline.validate import Verdict

from conftest import AS_OF, FIXTURES

HOSTILE = {
    "nul": "单位\x00名称",
    "ansi": "\x1b[31m红色单位\x1b[0m",
    "surrogate": "单位\ud800名称",
    "bidi": "单位\u202eexe.txt",
    "html": "<script>alert(1)</script>",
    "formula": "=cmd|' /C calc'!A0",
    "c1": "单位\x9b31m",
    "huge": "单" * 1_000_000,
}
FORBIDDEN = ("\x00", "\x1b", "\ud800", "\u202e", "\x9b")


@functools.lru_cache(maxsize=1)
def checked_unit():
    return next(iter(check_files(pack_for_writers(), [FIXTURES / "02-shi-shuiliju.yaml"], AS_OF)))


def hostile_outcome(text: str):
    outcome = copy.copy(checked_unit())
    outcome.unit_name = text
    outcome.source = text + ".yaml"
    listed = [f for f in outcome.findings if f.state in ("fail", "unknown", "advisory")][:6]
    outcome.findings = [dataclasses.replace(f, unit_name=text, message=text, subject=text, source=text + ".yaml")
                        for f in listed]
    return outcome


@functools.lru_cache(maxsize=1)
def pack_for_writers():
    from compliance.engine.tailoring import load_effective

    return load_effective("dangjian")


def write(fmt: str, text: str) -> str:
    stream = io.StringIO()
    pack = pack_for_writers()
    writer = make_writer(fmt, stream, pack, AS_OF)
    outcome = hostile_outcome(text)
    writer.add(outcome)
    broken = Problem(text + ".yaml", f"无法读取：{text}", line=3)
    summary = Summary()
    outcome.count_into(summary)
    writer.close(summary, [broken])
    out = stream.getvalue()
    out.encode("utf-8")  # strict: a lone surrogate would raise here
    return out


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize("fmt", ["table", "md", "csv", "junit", "sarif", "json", "jsonl"])
def test_every_check_writer_survives_hostile_text_and_writes_valid_utf8(fmt, kind):
    out = write(fmt, HOSTILE[kind])
    assert out
    if fmt in ("table", "md", "csv", "junit"):
        assert not any(ch in out for ch in FORBIDDEN), fmt
    if fmt == "junit":
        ET.fromstring(out.encode("utf-8"))
    if fmt in ("json", "sarif"):
        json.loads(out)
    if fmt == "jsonl":
        assert all(json.loads(line) for line in out.splitlines())


def test_json_keeps_a_lone_surrogate_as_its_escape_so_the_value_round_trips():
    doc = json.loads(write("json", HOSTILE["surrogate"]))
    assert doc["findings"][0]["unit_name"] == HOSTILE["surrogate"]
    assert "\\ud800" in write("jsonl", HOSTILE["surrogate"])


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_terminal_and_markdown_show_escapes_as_visible_text(fmt):
    out = write(fmt, HOSTILE["ansi"])
    assert "\\u001b[31m红色单位" in out


def test_markdown_shows_html_as_text_not_markup():
    out = write("md", HOSTILE["html"])
    assert "<script>" not in out and "\\<script\\>" in out


def test_csv_neutralises_formulas_in_every_cell():
    for payload in ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        rows = list(csv.reader(io.StringIO(write("csv", payload))))
        cells = [c for row in rows[1:] for c in row]
        assert cells and not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells), payload


def test_a_million_character_name_is_cut_in_the_terminal_table():
    out = write("table", HOSTILE["huge"])
    assert "…" in out and out.count("单") <= 3 * (TERMINAL_LIMIT + 5) * 6


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif"])
def test_every_validate_verdict_writer_survives_hostile_text(fmt, kind):
    text = HOSTILE[kind]
    problem = Problem(text + ".yaml", f"字段有误：{text}", line=2, path=text, given=text, code="SCHEMA")
    verdicts = [Verdict(text + ".yaml", [problem], [dataclasses.replace(problem, level="warning")], text, text)]
    render = FORMATS[fmt].verdicts
    out = render(VerdictReport(verdicts, [Problem(text, "文件不存在")], AS_OF))
    out.encode("utf-8")
    if fmt in ("text", "junit"):
        assert not any(ch in out for ch in FORBIDDEN)
    if fmt == "junit":
        ET.fromstring(out.encode("utf-8"))
    else:
        json.loads(out) if fmt != "text" else None


def test_problem_lines_printed_to_a_terminal_carry_no_escape_sequences():
    line = Problem("\x1b]0;title\x07a.yaml", "坏\u202e值", line=1).format()
    assert "\x1b" not in line and "\x07" not in line and "\u202e" not in line and "\\u001b" in line


def test_text_helpers_name_what_they_neutralise():
    assert for_terminal("a\x1b[0m\tb\nc\r") == "a\\u001b[0m\\u0009b\nc\\u000d"
    assert for_terminal("x" * 10, limit=3) == "xxx…"
    assert for_xml("a\x00b\ud800") == "a\ufffdb\ufffd"
    assert for_json('"a\ud800"') == '"a\\ud800"'
