"""Self-testing rules: run every rule's ``examples`` and compare the state it gives.

Each example is a partial profile plus the expected state (and the subject for ``foreach``
rules). Pack examples run with the parameters of the file that wrote them, so a tailoring
that changes a threshold does not break the pack's own examples; the tailoring's examples
run with the tailored values. ``check`` runs them before every check (about 10 ms for the
shipped pack) and refuses a pack whose examples fail unless ``--force``.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from compliance.findings import STATES
from compliance.engine.evaluate import check_unit
from compliance.inputs.validation import validation_problems
from compliance.engine.pack import EXAMPLE_AS_OF, CompiledRule, Example, Pack, finish_findings

EXAMPLE_UNIT = {"id": "EXAMPLE", "name": "样例单位"}


@dataclass
class ExampleResult:
    rule_id: str
    index: int
    name: str
    source: str
    expected: str
    actual: str | None
    subject: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.actual == self.expected

    def describe(self) -> str:
        where = f"{self.source} 规则 {self.rule_id} 样例{self.index + 1}「{self.name}」"
        subject = f"（对象：{self.subject}）" if self.subject else ""
        actual = STATES.get(self.actual or "", self.actual or "无结果")
        return f"{where}{subject}：期望 {STATES[self.expected]}，实际 {actual}" + (f"；{self.detail}" if self.detail else "")


def _profile_data(example: Example) -> dict[str, Any]:
    data = copy.deepcopy(example.profile)
    unit = data.get("unit") or data.pop("单位", None) or {}
    data["unit"] = {**EXAMPLE_UNIT, **unit} if isinstance(unit, dict) else unit
    return data


def run_example(pack: Pack, rule: CompiledRule, index: int, example: Example) -> ExampleResult:
    """Evaluate one example of ``rule`` (enabled or not) and compare with its expected state."""
    result = ExampleResult(rule.id, index, example.name, example._source or pack.source, example.expect, None, example.subject)
    params = dict(example._base_params if example._base_params is not None else pack.params)
    unknown = [k for k in example.params if k not in pack.param_specs]
    if unknown:
        result.detail = f"样例引用了未定义的参数：{'、'.join(unknown)}"
        return result
    params.update(example.params)
    try:
        profile = pack.domain.profile_model.model_validate(_profile_data(example))
    except ValidationError as exc:
        problems = validation_problems(exc, pack.domain.profile_model, result.source, None)
        result.detail = "样例档案无效：" + "；".join(f"{p.path} {p.message}" for p in problems)
        return result
    as_of = example.as_of or EXAMPLE_AS_OF
    enabled = dataclasses.replace(rule, rule=rule.rule.model_copy(update={"enabled": True}))
    single = Pack(pack.meta, pack.domain, params, pack.param_specs, [enabled], source=pack.source)
    year = example.year if example.year is not None else single.assessment_year(as_of)
    findings = finish_findings(single, check_unit(single, pack.domain.derive(profile, as_of, year), as_of), as_of)
    if rule.foreach_path is not None:
        subjects = [f.subject for f in findings]
        if example.subject is None:
            result.detail = f"逐项检查规则的样例必须写 subject（可选：{'、'.join(subjects) or '无'}）"
            return result
        findings = [f for f in findings if f.subject == example.subject]
        if not findings:
            result.detail = f"没有对象「{example.subject}」的结果（有：{'、'.join(subjects) or '无'}）"
            return result
    elif example.subject is not None:
        result.detail = "该规则不是逐项检查规则，样例不应写 subject"
        return result
    finding = findings[0]
    result.actual = finding.state
    if not result.ok:
        result.detail = finding.message
    return result


def run_examples(pack: Pack) -> list[ExampleResult]:
    """Results of every example of every rule in ``pack`` (disabled rules included)."""
    return [
        run_example(pack, rule, index, example)
        for rule in pack.rules
        for index, example in enumerate(rule.rule.examples)
    ]


def failing_examples(pack: Pack) -> list[ExampleResult]:
    """Failed examples of ``pack`` (the whole shipped pack runs in well under 0.1 s, so no cache)."""
    return [r for r in run_examples(pack) if not r.ok]
