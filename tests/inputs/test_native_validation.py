"""The native validator (no Python call per value) accepts only what the profile model accepts, with the
same result; everything else goes to the model, whose errors are reported."""

from __future__ import annotations

import random
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from compliance.domains.dangjian.profile import Profile
from compliance.engine.domain import domains
from compliance.inputs import native
from compliance.inputs.loader import InputError
from compliance.inputs.validation import model_of, validate_as
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))
from bench import synthetic_profile  # noqa: E402
from harness import HOSTILE_VALUES, schema_strategy  # noqa: E402

MODELS = [domain.profile_model for domain in domains().values()]
TWEAKS = ["是", "否", " yes ", "YES", "on", "1", 1, 0, 2, " 文本 ", "a\x07b", "x\ud800", "\ufffe", 10**16, -(10**16),
          10**15, 1e20, {}, {"approved": None}, {"approved": None, "document": ""}, [], None, "2025-02-30"]


def _tweaked(data: Any, model: type[BaseModel], rng: random.Random) -> Any:
    """``data`` with some keys written as their Chinese titles and some values replaced by :data:`TWEAKS`."""
    if not isinstance(data, dict):
        return data
    out: dict[Any, Any] = {}
    for key, value in data.items():
        field = model.model_fields.get(key)
        section = model_of(field.annotation) if field else None
        if section is not None and isinstance(value, dict):
            value = _tweaked(value, section, rng)
        elif section is not None and isinstance(value, list):
            value = [_tweaked(v, section, rng) for v in value]
        elif rng.random() < 0.08:
            value = rng.choice(TWEAKS)
        if field is not None and field.title and rng.random() < 0.05:
            key = field.title
        out[key] = value
    return out


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    return exc.errors(include_url=False, include_context=False)


def _strict(model: type[BaseModel], data: Any) -> tuple[str, Any]:
    try:
        return "ok", model.model_validate(data)
    except ValidationError as exc:
        return "error", _errors(exc)


def assert_agrees(model: type[BaseModel], data: Any) -> None:
    """What the native validator accepts, the model accepts alike; :func:`native.validate` is the model."""
    kind, strict = _strict(model, data)
    validator = native.native_validator(model)
    assert validator is not None
    try:
        quick = validator.validate_python(data)
    except ValidationError:
        quick = None
    if quick is not None:
        assert kind == "ok", f"native accepted what the model refuses: {strict}"
        assert type(quick) is type(strict) and quick == strict and quick.model_dump() == strict.model_dump()
    try:
        result = native.validate(model, data)
    except ValidationError as exc:
        assert kind == "error" and _errors(exc) == strict
    else:
        assert kind == "ok" and result == strict


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_plausible_profiles_with_chinese_keys_and_odd_values_agree(seed: int) -> None:
    rng = random.Random(seed)
    assert_agrees(Profile, _tweaked(synthetic_profile(rng, seed % 1000), Profile, rng))


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_profiles_drawn_from_each_schema_agree(model: type[BaseModel]) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(schema_strategy(model.model_json_schema(by_alias=False)))
    def agree(data: Any) -> None:
        assert_agrees(model, data)

    agree()


def _hook_calls(run: Any) -> dict[str, int]:
    """Calls of the model's Python hooks while ``run()`` runs."""
    calls: dict[str, int] = {}

    def count(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename.endswith("model.py"):
            calls[frame.f_code.co_name] = calls.get(frame.f_code.co_name, 0) + 1

    sys.setprofile(count)
    try:
        run()
    finally:
        sys.setprofile(None)
    return calls


def test_a_plain_profile_is_validated_without_a_hook_per_value() -> None:
    data = synthetic_profile(random.Random(3), 3)
    validator = native.native_validator(Profile)
    assert validator is not None
    strict = _hook_calls(lambda: Profile.model_validate(data))
    quick = _hook_calls(lambda: validator.validate_python(data))
    assert strict.get("_storable", 0) > 50 and strict.get("_accept_chinese_keys", 0) > 5
    assert "_storable" not in quick and "_check_value" not in quick and "_zh_bool" not in quick
    assert quick.get("_accept_chinese_keys", 0) < strict["_accept_chinese_keys"] / 2
    assert validator.validate_python(data) == Profile.model_validate(data)


@pytest.mark.parametrize(("where", "value", "expected"), [
    (("union", "independent_account"), "是", True),
    (("unit", "name"), "  某单位  ", "某单位"),
    (("party", "postponement"), {"approved": None, "document": None}, None),
])
def test_what_only_the_model_reads_is_read_by_it(where: tuple[str, str], value: Any, expected: Any) -> None:
    data = synthetic_profile(random.Random(5), 5)
    data.setdefault(where[0], {})[where[1]] = value
    result = native.validate(Profile, data)
    assert getattr(getattr(result, where[0]), where[1]) == expected
    assert result == Profile.model_validate(data)


def test_chinese_keys_are_read_by_the_model() -> None:
    data = synthetic_profile(random.Random(6), 6)
    data["unit"]["单位名称"] = data["unit"].pop("name")
    with pytest.raises(ValidationError):
        native.native_validator(Profile).validate_python(data)
    assert native.validate(Profile, data) == Profile.model_validate(data)


@pytest.mark.parametrize(("value", "message"), [
    ("第一\x07单位", "含有不能写入文档的字符（U+0007），请删除"),
    ("第一\ufffe单位", "含有不能写入文档的字符（U+FFFE），请删除"),
])
def test_a_text_no_document_can_hold_gets_the_models_error(value: str, message: str) -> None:
    data = synthetic_profile(random.Random(7), 7)
    data["unit"]["name"] = value
    with pytest.raises(InputError) as caught:
        validate_as(Profile, data, "单位.json")
    assert any(message in p.message for p in caught.value.problems)


def test_a_whole_number_beyond_the_bound_gets_the_models_error() -> None:
    data = synthetic_profile(random.Random(8), 8)
    data["party"]["term_years"] = 10**16
    with pytest.raises(ValidationError):
        native.native_validator(Profile).validate_python(data)
    with pytest.raises(ValidationError) as strict:
        native.validate(Profile, data)
    assert _errors(strict.value) == _strict(Profile, data)[1]


def test_building_the_native_validator_leaves_the_models_as_they_were() -> None:
    native.native_validator.cache_clear()
    classes = {node["cls"] for node in native._nodes(Profile.__pydantic_core_schema__) if node.get("type") == "model"}
    native.native_validator(Profile)
    assert all(cls.__dict__.get("__pydantic_complete__") is True for cls in classes)
    assert Profile.model_validate(synthetic_profile(random.Random(9), 9))


def test_hostile_values_are_never_accepted_natively_when_the_model_refuses_them() -> None:
    base = synthetic_profile(random.Random(10), 10)
    for value in HOSTILE_VALUES:
        for section, key in (("unit", "name"), ("unit", "staff_total"), ("party", "reelection_request_filed")):
            data = {**base, section: {**base[section], key: value}}
            assert_agrees(Profile, data)
