"""Rule packs: the YAML format, loading with located errors, and compilation of every rule."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

from compliance.inputs.validation import locate, validate_as
from compliance.engine.conditions import Compiled, Compiler, ConditionError, FactType
from compliance.engine.decide import Decide, decider
from compliance.engine.years import LAG_PARAM, annual_deadline_days, assessment_year
from compliance.engine.waivers import postpone_statutory
from compliance.findings import STATE_OF_LABEL, Finding, Severity
from compliance.engine.domain import Domain, get_domain
from compliance.inputs.loader import InputError, Problem, load_file

TEMPLATE_FIELD = re.compile(r"\{([A-Za-z_][\w.]*)\}")

MAX_DEADLINE_DAYS = 3650
"""A rectification deadline is at most ten years."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


BASIS_KINDS = ("法规依据", "工作要求", "背景材料")
"""法规依据: law, Party rules, national regulations (printed only once confirmed word for word);
工作要求: the inspecting body's own practice (printed as 按照…); 背景材料: never printed to units."""


class Document(_Strict):
    title: str = Field(title="文件名称", description="如 《中华人民共和国工会法》（2021年修正）；工作要求写 市直机关工委党建带群建工作要求")
    kind: Literal["法规依据", "工作要求", "背景材料"] = Field("法规依据", title="依据类别",
                                                          description="法规依据、工作要求（按照…）或背景材料（不向单位出示）")
    status: Literal["已核实", "待确认", "地方实践"] = Field("已核实", title="核实状态",
                                                     description="法规依据须对照官方文本逐字核实；待确认的不向单位出示")
    source: str | None = Field(None, title="核实来源", description="在哪里对照了原文（文本、网址）")
    checked: dt.date | None = Field(None, title="核实日期")
    note: str | None = Field(None, title="说明")

    @model_validator(mode="after")
    def _practice_is_a_work_requirement(self) -> "Document":
        if self.status == "地方实践":
            self.kind = "工作要求"
        return self

    @property
    def printable(self) -> bool:
        """Whether a basis in this document may be printed in documents sent to units."""
        if self.kind == "法规依据":
            return self.status == "已核实"
        return self.kind == "工作要求"


class Basis(_Strict):
    doc: str = Field(title="文件", description="documents 中的文件代码")
    article: str | None = Field(None, title="条款", description="如 第十一条、三、二是")
    quote: str | None = Field(None, title="原文摘录")
    subjects: list[str] | None = Field(None, title="适用对象",
                                       description="逐项检查的规则中只对这些对象出示，如 [工会]；不写则对所有对象出示")


class Param(_Strict):
    default: Any = Field(title="默认值")
    title: str = Field(title="参数说明")
    type: Literal["int", "float", "bool", "str", "date", "list"] = Field("int", title="类型")
    min: float | None = Field(None, title="最小值")
    max: float | None = Field(None, title="最大值")


class Foreach(_Strict):
    path: str = Field(title="列表路径", description="如 orgs（四个群团组织）或 all_orgs（含党组织）")
    where: dict[str, Any] | None = Field(None, title="筛选条件", description="只对满足条件的对象出结果，用 item.* 引用对象")


EXAMPLE_AS_OF = dt.date(2025, 11, 20)
ExampleState = Annotated[
    Literal["pass", "fail", "not_applicable", "unknown", "waived", "advisory"],
    BeforeValidator(lambda v: STATE_OF_LABEL.get(v, v) if isinstance(v, str) else v),
]


class Example(_Strict):
    """A rule's self-test: a partial profile and the state the rule must give it."""

    name: str = Field(title="样例说明")
    expect: ExampleState = Field(title="期望结果", description="pass/fail/not_applicable/unknown/waived/advisory 或 符合/不符合/不适用/待核实/豁免/提醒")
    subject: str | None = Field(None, title="对象", description="逐项检查（foreach）规则必填，如 工会、共青团、党组织")
    as_of: dt.date | None = Field(None, title="检查日期", description="默认 2025-11-20")
    year: int | None = Field(None, ge=1949, le=2200, title="考核年度", description="默认按检查日期和参数 assessment_lag_months 确定")
    params: dict[str, Any] = Field(default_factory=dict, title="参数覆盖", description="只对本样例生效")
    profile: dict[str, Any] = Field(default_factory=dict, title="单位档案片段", description="只写与本规则有关的部分；unit.id/name 可省略")
    _base_params: dict[str, Any] | None = PrivateAttr(None)
    _source: str = PrivateAttr("")


class Rule(_Strict):
    id: str = Field(title="规则编号", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str = Field(title="规则标题")
    catalogue: list[str] = Field(default_factory=list, title="对应要求目录编号")
    category: str = Field(title="问题类别")
    kind: Literal["要求", "提醒"] = Field("要求", title="规则类别",
                                      description="要求：不满足即问题（不符合）；提醒：不满足时只提醒（如任期即将届满），不是问题")
    severity: Severity = Field(title="严重程度")
    foreach: str | Foreach | None = Field(None, title="逐项检查", description="对列表中每一项各出一个结果")
    when: dict[str, Any] | None = Field(None, title="适用条件", description="不满足时结果为 不适用")
    expect: dict[str, Any] = Field(title="要求", description="不满足时结果为 不符合，缺数据时为 待核实")
    message: str = Field(title="问题描述模板", description="可引用 {unit.name}、{item.name}、{param.x} 等")
    basis: list[Basis] = Field(min_length=1, title="依据")
    measure: str = Field(title="整改措施")
    deadline_days: int = Field(30, ge=0, le=MAX_DEADLINE_DAYS, title="整改时限（天）")
    owner: str = Field("党组织书记", title="责任人角色")
    evidence: list[str] = Field(default_factory=list, title="现场核查需调阅的材料")
    annual: bool = Field(False, title="年度要求",
                         description="按考核年度判断（如“每年至少1次”）；整改时限不晚于仍可完成的考核年度年底")
    waivable: bool = Field(True, title="可豁免",
                           description="法定义务（如经审会、独立账户、2%拨缴）不可豁免：批准的只是延期整改，问题仍列入清单")
    enabled: bool = Field(True, title="是否启用")
    examples: list[Example] = Field(default_factory=list, title="规则自测样例")


class PackMeta(_Strict):
    id: str = Field(title="规则包编号")
    title: str = Field(title="规则包名称")
    version: str = Field(title="版本")
    domain: str = Field(title="领域", description="规则包检查的标准，即单位档案的种类，如 dangjian（党建带群建）、sanhui（三会一课）")
    description: str | None = Field(None, title="说明")
    documents: dict[str, Document] = Field(default_factory=dict, title="引用文件")


class PackFile(_Strict):
    """The YAML document of a rule pack."""

    pack: PackMeta = Field(title="规则包信息")
    params: dict[str, Param] = Field(default_factory=dict, title="参数")
    rules: list[Rule] = Field(default_factory=list, title="规则")


@dataclass
class CompiledRule:
    rule: Rule
    when: Compiled | None
    expect: Compiled
    foreach_path: str | None
    foreach_where: Compiled | None
    basis_text: str
    template_fields: list[str]
    basis_for: dict[str, str] = field(default_factory=dict)
    """The printed basis of subjects named in a basis's ``subjects`` (others get :attr:`basis_text`)."""
    decide: Decide = field(init=False, repr=False, compare=False)
    texts: Any = field(init=False, default=None, repr=False, compare=False)
    """What every finding of the rule repeats (``evaluate.RuleTexts``), cached by the evaluator."""

    def __post_init__(self) -> None:
        self.decide = decider(self.when, self.expect)

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass
class Pack:
    meta: PackMeta
    domain: Domain
    params: dict[str, Any]
    param_specs: dict[str, Param]
    rules: list[CompiledRule]
    source: str = ""
    raw: PackFile | None = field(default=None, repr=False)
    origins: dict[str, str] = field(default_factory=dict)
    """Where each effective value came from (``param.x``, ``rule.A1.severity`` … → file); set by tailoring."""
    disabled: dict[str, str] = field(default_factory=dict)
    """Rules switched off by a tailoring file: id → reason."""
    waivers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Waivers from an inspector's waiver file, by unit id; merged with the profile's own."""

    base_deadlines: dict[str, int] = field(default_factory=dict)
    """The pack's own deadline of each annual rule, before :meth:`set_year` fitted it to the 考核年度."""
    fitted_for: tuple[int, dt.date] | None = field(default=None, repr=False)
    """(考核年度, check date) the annual deadlines were last fitted to."""
    year: int | None = None
    """The 考核年度 asked for (``--year``); ``None``: see :meth:`assessment_year`."""

    known_rules: frozenset[str] = field(init=False, default=frozenset())
    """Every rule of the pack as loaded (before ``--rule``/``--skip-rule``): what a waiver may name."""

    def __post_init__(self) -> None:
        self.known_rules = frozenset(r.id for r in self.rules)

    @property
    def not_waivable(self) -> frozenset[str]:
        """Rules of statutory duties: a waiver there is only 经批准延期整改."""
        return frozenset(r.id for r in self.rules if not r.rule.waivable)

    def rule(self, rule_id: str) -> CompiledRule | None:
        """The rule ``rule_id``, from an index kept for the current rules list (``--rule`` replaces the list)."""
        cached = self.__dict__.get("_by_id")
        if cached is None or cached[0] is not self.rules or cached[1] != len(self.rules):
            by_id: dict[str, CompiledRule] = {}
            for compiled in self.rules:
                by_id.setdefault(compiled.id, compiled)
            cached = self.__dict__["_by_id"] = (self.rules, len(self.rules), by_id)
        return cached[2].get(rule_id)

    def assessment_year(self, as_of: dt.date) -> int:
        """The 考核年度 a check on ``as_of`` judges: ``--year`` when given, else :func:`assessment_year`."""
        return self.year if self.year is not None else assessment_year(as_of, self.params.get(LAG_PARAM) or 0)

    def set_year(self, year: int | None, as_of: dt.date) -> None:
        """Judge the 考核年度 ``year`` (``None``: the default for ``as_of``), see :meth:`for_check`."""
        self.year = year
        self.for_check(as_of)

    def for_check(self, as_of: dt.date) -> int:
        """The 考核年度 of a check on ``as_of``, with each annual rule's deadline fitted to it (once per date):
        while that year is still running, the measure must be done by its end, so that it can still be met."""
        judged = self.assessment_year(as_of)
        if self.fitted_for != (judged, as_of):
            for compiled in self.rules:
                rule = compiled.rule
                if rule.annual:
                    base = self.base_deadlines.setdefault(rule.id, rule.deadline_days)
                    compiled.rule = rule.model_copy(update={"deadline_days": annual_deadline_days(base, as_of, judged)})
            self.fitted_for = (judged, as_of)
        return judged


def finish_findings(pack: "Pack", findings: list[Finding], as_of: dt.date) -> list[Finding]:
    """What the pack adds to evaluated findings (each already printing its subject's basis, see
    ``CompiledRule.basis_for``): statutory duties kept on the list as 经批准延期整改 instead of waived."""
    return postpone_statutory(findings, pack.not_waivable, as_of)


def basis_text(rule: Rule, documents: dict[str, Document], subject: str | None = None) -> str:
    """The 依据 printed for units (about ``subject``; ``None``: the rule's, for every subject): confirmed 法规依据 by
    title and article, 工作要求 as 按照…; unconfirmed bases and background material are left out (``rules show``
    lists them)."""
    parts: list[str] = []
    for b in rule.basis:
        doc = documents.get(b.doc)
        if doc is None or not doc.printable or (subject is not None and b.subjects is not None
                                                and subject not in b.subjects):
            continue
        if doc.kind == "工作要求":
            text = f"按照{doc.title}" + (f"（{b.article}）" if b.article else "")
        else:
            text = doc.title + (b.article or "")
        if text not in parts:
            parts.append(text)
    return "；".join(parts)


def review_text(basis: Basis, documents: dict[str, Document]) -> str:
    """One basis as the pack's maintainers review it: title, article, kind and status."""
    doc = documents.get(basis.doc)
    if doc is None:
        return basis.doc
    mark = doc.kind if doc.kind != "法规依据" else doc.status
    return f"{doc.title}{basis.article or ''}（{mark}{'' if doc.printable else '，不向单位出示'}）"


def _where_to_loc(where: str) -> list[Any]:
    loc: list[Any] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", where):
        loc.append(int(index) if index else name)
    return loc


def compile_pack(data: PackFile, schema: FactType, params: dict[str, Any] | None = None) -> tuple[list[CompiledRule], list[tuple[str, str]]]:
    """Compile every rule against the facts of the pack's domain; returns (rules, errors as (where, message))."""
    values = {name: p.default for name, p in data.params.items()}
    values.update(params or {})
    errors: list[tuple[str, str]] = []
    compiled: list[CompiledRule] = []
    seen: set[str] = set()
    for index, rule in enumerate(data.rules):
        where = f"rules[{index}]"
        if rule.id in seen:
            errors.append((f"{where}.id", f"规则编号「{rule.id}」重复"))
        seen.add(rule.id)
        unregistered = [b.doc for b in rule.basis if b.doc not in data.pack.documents]
        for doc in unregistered:
            errors.append((f"{where}.basis", f"依据引用了未在 pack.documents 中登记的文件「{doc}」"))
        printed = basis_text(rule, data.pack.documents)
        named = {s for b in rule.basis for s in b.subjects or ()}
        by_subject = {s: basis_text(rule, data.pack.documents, s) for s in sorted(named)}
        if rule.basis and not unregistered and not printed:
            errors.append((f"{where}.basis", "没有可以向单位出示的依据：至少要有一条已核实的法规依据或工作要求"))
        try:
            compiled.append(_compile_rule(rule, where, schema, values, printed))
            compiled[-1].basis_for = by_subject
        except ConditionError as exc:
            errors.append((exc.where, exc.message))
    return compiled, errors


def _compile_rule(rule: Rule, where: str, schema: FactType, params: dict[str, Any], printed_basis: str) -> CompiledRule:
    foreach_path = foreach_filter = None
    item_type = None
    if rule.foreach is not None:
        spec = Foreach(path=rule.foreach) if isinstance(rule.foreach, str) else rule.foreach
        foreach_path = spec.path
        list_type = Compiler(schema, params).fact_type(spec.path, f"{where}.foreach")
        if list_type.kind != "list" or list_type.element is None:
            raise ConditionError(f"{where}.foreach", f"「{spec.path}」不是列表，不能逐项检查")
        item_type = list_type.element
        if spec.where is not None:
            foreach_filter = Compiler(schema, params, item_type).compile(spec.where, f"{where}.foreach.where")
    compiler = Compiler(schema, params, item_type)
    when = compiler.compile(rule.when, f"{where}.when") if rule.when is not None else None
    expect = compiler.compile(rule.expect, f"{where}.expect")
    fields = TEMPLATE_FIELD.findall(rule.message)
    for name in fields:
        if name.startswith("param."):
            if name[6:] not in params:
                raise ConditionError(f"{where}.message", f"模板引用了未定义的参数「{name[6:]}」")
        else:
            compiler.fact_type(name, f"{where}.message")
    return CompiledRule(rule, when, expect, foreach_path, foreach_filter, printed_basis, fields)


def check_param_values(specs: dict[str, Param], values: dict[str, Any]) -> list[tuple[str, str]]:
    errors = []
    py_types = {"int": int, "float": (int, float), "bool": bool, "str": str, "list": list}
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None:
            errors.append((f"params.{name}", f"未定义的参数「{name}」"))
            continue
        expected = py_types.get(spec.type)
        if expected and (not isinstance(value, expected) or (spec.type != "bool" and isinstance(value, bool))):
            errors.append((f"params.{name}", f"参数「{name}」应为 {spec.type}，实际为 {value!r}"))
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if spec.min is not None and value < spec.min:
                errors.append((f"params.{name}", f"参数「{name}」不能小于 {spec.min}"))
            if spec.max is not None and value > spec.max:
                errors.append((f"params.{name}", f"参数「{name}」不能大于 {spec.max}"))
    return errors


def parse_pack(data: Any, name: str, text: str | None) -> PackFile:
    return validate_as(PackFile, data, name, text)


def located(name: str, text: str, errors: list[tuple[str, str]]) -> InputError:
    """An :class:`InputError` for ``(where, message)`` errors, each located in the file's text."""
    problems = []
    for where, message in errors:
        line, column = locate(text, _where_to_loc(where))
        problems.append(Problem(name, message, line=line, column=column, path=where))
    return InputError(problems)


def load_pack(path: str | Path, params: dict[str, Any] | None = None) -> Pack:
    """Load, validate and compile a pack; any error raises :class:`InputError` with line numbers."""
    path = Path(path)
    name = str(path)
    data, text = load_file(path)
    if not isinstance(data, dict):
        raise InputError([Problem(name, "规则包应为 YAML 映射（包含 pack、params、rules）", line=1)])
    parsed = parse_pack(data, name, text)
    domain = pack_domain(parsed, name, text)
    defaults = {n: p.default for n, p in parsed.params.items()}
    errors = check_param_values(parsed.params, defaults | (params or {}))
    rules, compile_errors = compile_pack(parsed, domain.fact_schema(), params)
    errors += compile_errors
    if errors:
        raise located(name, text, errors)
    values = defaults | (params or {})
    return Pack(parsed.pack, domain, values, dict(parsed.params), rules, source=name, raw=parsed)


def pack_domain(parsed: PackFile, name: str, text: str) -> Domain:
    """The installed domain a pack names; an unknown one is an error located at ``pack.domain``."""
    try:
        return get_domain(parsed.pack.domain)
    except InputError as exc:
        raise located(name, text, [("pack.domain", exc.problems[0].message)]) from None
