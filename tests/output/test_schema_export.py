"""`compliance schema`: JSON Schema 2020-12 of profiles and packs, kept in step with the models."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml

from compliance.cli import main
from compliance.domains.dangjian.profile import Profile
from compliance.engine.domain import domains
from compliance.output.schema import PACK_SCHEMA_FILE, pack_schema, profile_schema_file, to_json
from compliance.output.schema import profile_schema as _profile_schema

from conftest import DANGJIAN, FIXTURES, ROOT, minimal_profile


def profile_schema():
    return _profile_schema(DANGJIAN)

SCHEMAS = ROOT / "schemas"


def as_json(data: Any) -> Any:
    """What an editor sees: YAML dates are strings in JSON Schema's data model."""
    return json.loads(json.dumps(data, default=lambda o: o.isoformat()))


def validator(schema: dict) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def profile_validator() -> jsonschema.Draft202012Validator:
    return validator(profile_schema())


@pytest.fixture(scope="module")
def pack_validator() -> jsonschema.Draft202012Validator:
    return validator(pack_schema())


def messages(v: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [e.message for e in v.iter_errors(as_json(data))]


SCHEMA_FILES = [(f"profile --domain {key}", profile_schema_file(d), lambda d=d: _profile_schema(d))
                for key, d in domains().items()] + [("pack", PACK_SCHEMA_FILE, pack_schema)]


@pytest.mark.parametrize("command, name, build", SCHEMA_FILES, ids=[name for _, name, _ in SCHEMA_FILES])
def test_schema_files_in_the_repository_equal_a_fresh_export(command, name, build):
    path = SCHEMAS / name
    assert path.exists() and path.read_text(encoding="utf-8") == to_json(build()), (
        f"schemas/{name} 已过期：运行 compliance schema {command} -o schemas/{name}")


def test_blank_profiles_point_the_editor_at_their_domains_schema():
    for domain in domains().values():
        assert f"$schema=schemas/{profile_schema_file(domain)}" in domain.template("甲单位")


def test_the_cli_exports_the_same_schema(runner, tmp_path):
    out = tmp_path / "p.json"
    assert runner.invoke(main, ["schema", "profile", "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == profile_schema()
    result = runner.invoke(main, ["schema", "pack"])
    assert result.exit_code == 0 and json.loads(result.stdout)["$schema"].endswith("2020-12/schema")
    assert runner.invoke(main, ["schema", "rules"]).exit_code == 3


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_fixture_validates_against_the_profile_schema(path, profile_validator):
    assert messages(profile_validator, yaml.safe_load(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("path", sorted((ROOT / "rules").glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_pack_validates_against_the_pack_schema(path, pack_validator):
    assert messages(pack_validator, yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_titles_are_chinese():
    schema = profile_schema()
    assert schema["title"] == "单位档案"
    assert schema["$defs"]["Union"]["title"] == "工会"
    assert schema["$defs"]["Union"]["properties"]["funds_review_committee"]["title"] == "经费审查委员会"
    assert pack_schema()["$defs"]["Rule"]["title"] == "规则"


def test_chinese_keys_and_yes_no_texts_are_accepted(profile_validator):
    data = {"单位": {"单位编号": "A", "单位名称": "甲", "职工总数": 30},
            "工会": {"是否建立": "是", "经费审查委员会": "否", "成立日期": "2020-01-01"}}
    assert messages(profile_validator, data) == []
    Profile.model_validate(data)


def test_typos_unknown_keys_and_wrong_types_are_flagged(profile_validator):
    assert messages(profile_validator, minimal_profile(union={"fund_review_committee": True}))
    assert messages(profile_validator, minimal_profile(unit={"staff_total": -1}))
    assert messages(profile_validator, minimal_profile(unit={"type": "部门"}))
    assert messages(profile_validator, {"unit": {"name": "缺编号"}})
    assert messages(profile_validator, {"unit": {"id": "A", "name": "甲", "单位名称": "乙"}}), "键和中文名不能同时出现"


def test_the_schema_agrees_with_the_model_on_sample_profiles(profile_validator):
    samples = [
        minimal_profile(events=[{"date": "2025-01-02", "type": "培训", "count": 3}]),
        minimal_profile(events=[{"date": "2025-01-02", "type": "出差"}]),
        minimal_profile(league={"roster": [{"name": "甲", "团内职务": "书记"}]}),
        minimal_profile(union={"funds_rate": 120}),
        minimal_profile(waivers=[{"reason": "无规则编号"}]),
    ]
    for data in samples:
        try:
            Profile.model_validate(as_json(data))
            model_ok = True
        except Exception:
            model_ok = False
        assert (messages(profile_validator, data) == []) == model_ok, data


def rule(**overrides: Any) -> dict:
    base = {"id": "X1", "title": "t", "category": "c", "severity": "一般", "message": "m",
            "basis": [{"doc": "d"}], "measure": "m", "expect": {"fact": "union.established", "eq": True}}
    return base | overrides


def pack_doc(*rules: dict) -> dict:
    return {"pack": {"id": "p", "title": "包", "version": "1", "domain": "dangjian", "documents": {"d": {"title": "文件"}}},
            "rules": list(rules)}


@pytest.mark.parametrize("condition", [
    {"all": [{"fact": "a", "gte": 1}, {"any": [{"fact": "b", "exists": True}, {"not": {"fact": "c", "eq": "x"}}]}]},
    {"count": {"of": "events", "where": {"fact": "this.type", "in": ["培训"]}}, "gte": {"param": "n"}, "label": "次数"},
    {"fact": "union.last_election", "within_last_days": 365},
    {"fact": "unit.staff_total", "gt": {"fact": "union.members"}},
    {"fact": "check.date", "in_check_year": True},
])
def test_valid_conditions_are_accepted(condition, pack_validator):
    assert messages(pack_validator, pack_doc(rule(expect=condition, when=condition))) == []


@pytest.mark.parametrize("condition", [
    {"fact": "a", "eqq": 1},
    {"fact": "a"},
    {"all": []},
    {"all": [{"fact": "a", "eq": 1}], "any": [{"fact": "b", "eq": 1}]},
    {"count": {"of": "events", "wher": {}}, "gte": 1},
    {"fact": "a", "eq": {"parm": "x"}},
    {"fact": "d", "in_check_year": False},
    {"not": [{"fact": "a", "eq": 1}]},
])
def test_malformed_conditions_are_rejected(condition, pack_validator):
    assert messages(pack_validator, pack_doc(rule(expect=condition)))


def test_pack_schema_flags_unknown_rule_keys_and_severities(pack_validator):
    assert messages(pack_validator, pack_doc(rule(severty="一般")))
    assert messages(pack_validator, pack_doc(rule(severity="紧急")))
    assert messages(pack_validator, pack_doc(rule(foreach={"path": "orgs", "where": {"fact": "item.x", "eq": 1}}))) == []
