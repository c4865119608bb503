"""A YAML profile is parsed once on the check path: the node tree that gave the data also locates its
schema errors and quality warnings."""

from __future__ import annotations

import pytest

from compliance.inputs import loader
from compliance.inputs.records import Record
from compliance.pipeline.run import assess_record, parse_record

from conftest import AS_OF, DANGJIAN, FIXTURES


@pytest.fixture
def parses(monkeypatch):
    count = {"n": 0}
    init = loader.YamlLoader.__init__

    def counting(self, *args, **kwargs):
        count["n"] += 1
        init(self, *args, **kwargs)

    monkeypatch.setattr(loader.YamlLoader, "__init__", counting)
    return count


def test_a_profile_with_warnings_is_parsed_once_and_its_warnings_are_located(parses):
    for path in sorted(FIXTURES.glob("*.yaml")):
        parses["n"] = 0
        record = Record(str(path))
        profile, text = parse_record(record, DANGJIAN)
        errors, warnings = assess_record(profile, DANGJIAN, AS_OF, record, text)
        assert parses["n"] == 1, path
        assert all(p.line is not None for p in errors + warnings), path


def test_a_schema_error_is_located_without_parsing_again(parses, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("unit:\n  id: U-1\n  name: 单位\n  人数: 很多\n", encoding="utf-8")
    with pytest.raises(loader.InputError) as caught:
        parse_record(Record(str(path)), DANGJIAN)
    assert parses["n"] == 1
    assert caught.value.problems[0].line == 4


def test_an_alias_is_located_where_it_is_written_not_at_its_anchor(tmp_path):
    with pytest.raises(loader.InputError) as caught:
        loader.parse_yaml("a: &x [1, 2]\nb:\n  c: *x\n", "f.yaml")
    assert (caught.value.problems[0].line, caught.value.problems[0].column) == (3, 6)
