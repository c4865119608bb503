"""A small, fixed condition language over dotted fact paths, with three-valued logic.

A condition is a mapping. Leaves compare one fact (or a count) with a value::

    {fact: union.funds_review_committee, eq: true}
    {fact: unit.staff_total, gte: {param: union_threshold}}
    {count: {of: events, where: {fact: this.type, eq: 听取汇报}}, gte: 1}

and ``all`` / ``any`` / ``not`` combine them. Evaluation returns ``True``, ``False`` or
``None`` (unknown: a needed fact is missing). The language knows nothing about the domain:
facts are plain nested dicts, checked at compile time against a :class:`FactType` tree.

Leaf operators are one table, :data:`OPERATORS` (at the end): name, group and how each compiles.

Longer than 400 lines because the compiler, the linter's type checks and the closures it builds must
stay in step operator by operator; split apart they would have to share private helpers.
"""

from __future__ import annotations

import datetime as dt
import difflib
import operator
from dataclasses import dataclass, field
from typing import Any, Callable

Tri = "bool | None"

COMBINATORS = ("all", "any", "not")
ORDERED_KINDS = {"int", "float", "date"}


@dataclass
class FactType:
    """The type of a fact: scalar kinds, ``enum`` with choices, ``object`` or ``list``."""

    kind: str
    title: str = ""
    choices: tuple[Any, ...] = ()
    children: dict[str, "FactType"] = field(default_factory=dict)
    element: "FactType | None" = None
    labels: dict[Any, str] = field(default_factory=dict)


class ConditionError(Exception):
    """A malformed condition; ``where`` is the location inside the pack (e.g. ``rules[3].expect``)."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class Ctx:
    """Evaluation state for one (unit, rule, subject)."""

    __slots__ = ("facts", "params", "as_of", "item", "item_label", "this", "used", "memo")

    def __init__(self, facts: dict, params: dict, as_of: dt.date, item: Any = None, item_label: str = "item",
                 memo: dict | None = None):
        self.facts = facts
        self.params = params
        self.as_of = as_of
        self.item = item
        self.item_label = item_label
        self.this: Any = None
        self.used: dict[str, Any] = {}
        self.memo: dict = {} if memo is None else memo
        """What is worked out once per unit and shared by its contexts: indexes of its lists (see :func:`_by_value`)
        and the subjects of each ``foreach`` list (``evaluate.foreach_subjects``)."""


Evaluator = Callable[[Ctx], "bool | None"]
_MISSING = object()


def _getter(path: str) -> Callable[[Ctx], Any]:
    head, *rest = path.split(".")

    def walk(value: Any) -> Any:
        for part in rest:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
            if value is None:
                return None
        return value

    if len(rest) == 1:  # the common one-step case, as a single closure
        key = rest[0]
        if head == "this":

            def get_this(ctx: Ctx) -> Any:
                value = ctx.this
                return value.get(key) if isinstance(value, dict) else None

            return get_this
        if head == "item":

            def get_item(ctx: Ctx) -> Any:
                value = ctx.item
                return value.get(key) if isinstance(value, dict) else None

            return get_item

        def get_fact(ctx: Ctx) -> Any:
            value = ctx.facts.get(head)
            return value.get(key) if isinstance(value, dict) else None

        return get_fact

    if head == "item":
        return lambda ctx: walk(ctx.item)
    if head == "this":
        return lambda ctx: walk(ctx.this)
    return lambda ctx: walk(ctx.facts.get(head))


@dataclass
class Compiled:
    """A compiled condition: ``run`` evaluates it, ``text`` reads it, ``paths`` lists facts it uses."""

    run: Evaluator
    text: str
    paths: list[str]
    # For ``count``: (key, literal) when the condition is False for every dict item whose ``key`` is
    # reported and differs from ``literal`` (a leading ``this.key eq literal``), so those can be skipped.
    skip_unless: tuple[str, Any] | None = None


class Compiler:
    """Compiles condition mappings, checking fact paths, operators and params."""

    def __init__(self, schema: FactType, params: dict[str, Any], foreach: FactType | None = None):
        self.schema = schema
        self.params = params
        self.foreach = foreach
        self.this_stack: list[FactType] = []

    # -- paths and values -----------------------------------------------------------------

    def fact_type(self, path: str, where: str) -> FactType:
        if not isinstance(path, str) or not path:
            raise ConditionError(where, "fact 应为事实路径字符串，如 union.established")
        head, *rest = path.split(".")
        if head == "item":
            if self.foreach is None:
                raise ConditionError(where, f"「{path}」使用了 item，但规则没有 foreach")
            node, walked = self.foreach, "item"
        elif head == "this":
            if not self.this_stack:
                raise ConditionError(where, f"「{path}」使用了 this，只能在 count 的 where 中使用")
            node, walked = self.this_stack[-1], "this"
        else:
            node, walked, rest = self.schema, "", [head, *rest]
        for part in rest:
            if node.kind != "object" or part not in node.children:
                options = list(node.children) if node.kind == "object" else []
                hint = difflib.get_close_matches(part, options, n=1, cutoff=0.6)
                suggestion = f"，是不是想写「{(walked + '.' if walked else '') + hint[0]}」？" if hint else ""
                raise ConditionError(where, f"未知事实路径「{path}」：「{walked or '(根)'}」下没有「{part}」{suggestion}")
            node = node.children[part]
            walked = f"{walked}.{part}" if walked else part
        return node

    def value(self, spec: Any, where: str) -> tuple[Callable[[Ctx], Any], str, bool]:
        """(getter, text, is_fact) for an operand: a literal, ``{param: x}`` or ``{fact: path}``."""
        if isinstance(spec, dict):
            if set(spec) == {"param"}:
                name = spec["param"]
                if name not in self.params:
                    hint = difflib.get_close_matches(str(name), list(self.params), n=1)
                    raise ConditionError(
                        where, f"未定义的参数「{name}」" + (f"，是不是想写「{hint[0]}」？" if hint else "")
                    )
                return (lambda ctx: ctx.params[name]), f"参数 {name}", False
            if set(spec) == {"fact"}:
                path = spec["fact"]
                self.fact_type(path, where)
                get = _getter(path)
                return get, path, True
            raise ConditionError(where, "取值只能是字面量、{param: 名称} 或 {fact: 路径}")
        return (lambda ctx: spec), _literal_text(spec), False

    # -- compile ----------------------------------------------------------------------------

    def compile(self, spec: Any, where: str) -> Compiled:
        if not isinstance(spec, dict) or not spec:
            raise ConditionError(where, "条件应为非空映射，如 {fact: 路径, eq: 值} 或 {all: [...]}")
        combinators = [k for k in COMBINATORS if k in spec]
        if combinators:
            if len(spec) != 1:
                extra = sorted(set(spec) - {combinators[0]})
                raise ConditionError(where, f"「{combinators[0]}」不能与 {extra} 写在同一个映射里")
            return self._combinator(combinators[0], spec[combinators[0]], where)
        if "fact" in spec:
            return self._leaf(spec, where)
        if "count" in spec:
            return self._count(spec, where)
        known = COMBINATORS + ("fact", "count")
        key = next(iter(spec))
        hint = difflib.get_close_matches(str(key), known + LEAF_OPS, n=1)
        raise ConditionError(
            where, f"无法识别的条件键「{key}」" + (f"，是不是想写「{hint[0]}」？" if hint else f"，可用：{', '.join(known)}")
        )

    def _combinator(self, op: str, body: Any, where: str) -> Compiled:
        if op == "not":
            inner = self.compile(body, f"{where}.not")
            run = inner.run

            def negate(ctx: Ctx) -> bool | None:
                result = run(ctx)
                return None if result is None else not result

            return Compiled(negate, f"并非（{inner.text}）", inner.paths)
        if not isinstance(body, list) or not body:
            raise ConditionError(where, f"「{op}」应为非空列表")
        parts = [self.compile(item, f"{where}.{op}[{i}]") for i, item in enumerate(body)]
        runs = tuple(p.run for p in parts)
        paths = [p for part in parts for p in part.paths]
        joiner = " 且 " if op == "all" else " 或 "
        text = joiner.join(f"（{p.text}）" if len(parts) > 1 else p.text for p in parts)
        if len(runs) == 1:
            return Compiled(runs[0], text, paths, parts[0].skip_unless)
        decisive = op == "any"  # the value of one part that settles the whole: False for all, True for any
        skip = parts[0].skip_unless if op == "all" else None
        if len(runs) == 2:  # the most common combination, without a loop
            first, second = runs

            def either_of_two(ctx: Ctx) -> bool | None:
                a = first(ctx)
                if a is decisive:
                    return decisive
                b = second(ctx)
                if b is decisive:
                    return decisive
                return None if a is None or b is None else not decisive

            return Compiled(either_of_two, text, paths, skip)

        def combined(ctx: Ctx) -> bool | None:
            unknown = False
            for r in runs:
                result = r(ctx)
                if result is decisive:
                    return decisive
                if result is None:
                    unknown = True
            return None if unknown else not decisive

        return Compiled(combined, text, paths, skip)

    def _ops(self, spec: dict, where: str, reserved: tuple[str, ...]) -> list[tuple[str, Any]]:
        ops = []
        for key, operand in spec.items():
            if key in reserved or key == "label":
                continue
            if key not in LEAF_OPS:
                hint = difflib.get_close_matches(str(key), LEAF_OPS, n=1)
                raise ConditionError(
                    where, f"未知运算符「{key}」" + (f"，是不是想写「{hint[0]}」？" if hint else f"，可用：{', '.join(LEAF_OPS)}")
                )
            ops.append((key, operand))
        if not ops:
            raise ConditionError(where, f"缺少运算符，可用：{', '.join(LEAF_OPS)}")
        return ops

    def _leaf(self, spec: dict, where: str) -> Compiled:
        path = spec["fact"]
        ftype = self.fact_type(path, where)
        get = _getter(path)
        label = spec.get("label") or path
        record = not path.startswith("this.")
        ops = self._ops(spec, where, ("fact",))
        checks = [self._op(op, operand, ftype, f"{where}.{op}") for op, operand in ops]
        text = " 且 ".join(f"{label} {t}" for _, t in checks)
        tests = tuple(c for c, _ in checks)
        on_item, tail = path.startswith("item."), path[4:]

        def leaf(ctx: Ctx) -> bool | None:
            value = get(ctx)
            if record:
                ctx.used[ctx.item_label + tail if on_item else path] = value
            return _all_tests(tests, ctx, value)

        other = self.value(ops[0][1], where)[0] if len(ops) == 1 and isinstance(ops[0][1], dict) else None
        fast = _single_leaf(path, ops, ftype.kind, other)
        if fast is not None:
            leaf = fast  # noqa: F811 - the common case as one closure
        elif len(tests) == 1:  # one test: called directly, its result made a strict three-valued one
            only = tests[0]
            if not record:

                def leaf(ctx: Ctx) -> bool | None:  # noqa: F811 - ``this.*`` inside count: nothing to record
                    r = only(ctx, get(ctx))
                    return r if r is None or r is False else True
            else:

                def leaf(ctx: Ctx) -> bool | None:  # noqa: F811
                    value = get(ctx)
                    ctx.used[ctx.item_label + tail if on_item else path] = value
                    r = only(ctx, value)
                    return r if r is None or r is False else True

        paths = [path] if record else []
        skip = None
        parts = path.split(".")
        if (not record and len(parts) == 2 and len(ops) == 1 and ops[0][0] == "eq"
                and not isinstance(ops[0][1], dict) and ops[0][1] is not None):
            skip = (parts[1], ops[0][1])
        return Compiled(leaf, text, paths, skip)

    def _count(self, spec: dict, where: str) -> Compiled:
        body = spec["count"]
        if not isinstance(body, dict) or "of" not in body or set(body) - {"of", "where"}:
            raise ConditionError(where, "count 应写成 {of: 列表路径, where: 条件}")
        path = body["of"]
        ltype = self.fact_type(path, f"{where}.count.of")
        if ltype.kind != "list" or ltype.element is None:
            raise ConditionError(f"{where}.count.of", f"「{path}」不是列表，不能计数")
        get = _getter(path)
        filt: Compiled | None = None
        if "where" in body:
            self.this_stack.append(ltype.element)
            try:
                filt = self.compile(body["where"], f"{where}.count.where")
            finally:
                self.this_stack.pop()
        label = spec.get("label") or (f"{path} 中满足（{filt.text}）的条数" if filt else f"{path} 的条数")
        checks = [
            self._op(op, operand, FactType("int"), f"{where}.{op}")
            for op, operand in self._ops(spec, where, ("count",))
        ]
        tests = tuple(c for c, _ in checks)
        text = " 且 ".join(f"{label} {t}" for _, t in checks)
        frun = filt.run if filt else None
        skip = filt.skip_unless if filt else None

        on_item = path.startswith("item.")

        def count(ctx: Ctx) -> bool | None:
            items = get(ctx)
            key = label.replace("item", ctx.item_label, 1) if on_item else label
            if items is None:
                ctx.used[key] = None
                return None
            low = high = 0
            if frun is None:
                low = high = len(items)
            else:
                saved = ctx.this
                candidates = _candidates(ctx.memo, items, skip) if skip is not None else items
                for element in candidates:
                    ctx.this = element
                    r = frun(ctx)
                    if r is True:
                        low += 1
                        high += 1
                    elif r is None:
                        high += 1
                ctx.this = saved
            if low == high:
                ctx.used[key] = low
                return _all_tests(tests, ctx, low)
            ctx.used[key] = f"{low}–{high}"
            results = {_all_tests(tests, ctx, low), _all_tests(tests, ctx, high)}
            return results.pop() if len(results) == 1 else None

        return Compiled(count, text, [path] + (filt.paths if filt else []))

    def _op(self, op: str, operand: Any, ftype: FactType, where: str) -> tuple[Test, str]:
        return OPERATORS[op].compile(self, operand, ftype, where)

    def _check_literal(self, ftype: FactType, value: Any, where: str) -> None:
        kind = ftype.kind
        ok = {
            "bool": isinstance(value, bool),
            "int": isinstance(value, (int, float)) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "date": isinstance(value, dt.date),
            "str": isinstance(value, str),
        }.get(kind, True)
        if not ok:
            raise ConditionError(where, f"值 {value!r} 与事实类型 {kind} 不符")
        self._check_choices(ftype, [value], where)

    @staticmethod
    def _check_choices(ftype: FactType, values: list[Any], where: str) -> None:
        if ftype.kind != "enum":
            return
        for value in values:
            if value not in ftype.choices:
                hint = difflib.get_close_matches(str(value), [str(c) for c in ftype.choices], n=1)
                raise ConditionError(
                    where,
                    f"取值「{value}」不在可选值中（{'、'.join(map(str, ftype.choices))}）"
                    + (f"，是不是想写「{hint[0]}」？" if hint else ""),
                )


def _all_tests(tests: tuple["Test", ...], ctx: Ctx, value: Any) -> bool | None:
    """Three-valued "and" of ``tests`` on ``value``: False at the first that fails, else None if one is unknown."""
    result: bool | None = True
    for test in tests:
        r = test(ctx, value)
        if r is False:
            return False
        if r is None:
            result = None
    return result


HASHABLE_KINDS = frozenset({"str", "enum", "int", "float", "bool", "date"})
"""Fact kinds whose values (validated) can be looked up in a set."""
_LITERAL_COMPARE = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gte": operator.ge,
                    "lt": operator.lt, "lte": operator.le}


def _single_leaf(path: str, ops: list[tuple[str, Any]], kind: str,
                 other: Callable[[Ctx], Any] | None = None) -> Evaluator | None:
    """``{fact: head.key, <comparison>: literal}`` (the most common leaf: one step below the facts, the
    ``foreach`` item or the counted ``this``) as one closure that looks the value up, records it and compares,
    instead of a getter, a test and a comparison closure. The same for ``in`` a literal list (:func:`_member_leaf`)
    and for a comparison with another fact or a param, read by ``other`` (:func:`_this_against`). Anything else:
    ``None`` (the general leaf)."""
    parts = path.split(".")
    if len(parts) != 2 or len(ops) != 1:
        return None
    head, key = parts
    op, operand = ops[0]
    if op == "in" and type(operand) is list and head in ("this", "item") and kind in HASHABLE_KINDS:
        return _member_leaf(path, head, key, operand)
    compare = _LITERAL_COMPARE.get(op)
    if compare is not None and other is not None and head == "this":
        return _this_against(key, compare, other)
    if compare is None or isinstance(operand, dict) or operand is None:
        return None
    if head == "this":

        def this_leaf(ctx: Ctx) -> bool | None:
            this = ctx.this
            value = this.get(key) if isinstance(this, dict) else None
            return None if value is None else compare(value, operand)

        return this_leaf
    if head == "item":
        tail = path[4:]

        def item_leaf(ctx: Ctx) -> bool | None:
            item = ctx.item
            value = item.get(key) if isinstance(item, dict) else None
            ctx.used[ctx.item_label + tail] = value
            return None if value is None else compare(value, operand)

        return item_leaf

    def fact_leaf(ctx: Ctx) -> bool | None:
        section = ctx.facts.get(head)
        value = section.get(key) if isinstance(section, dict) else None
        ctx.used[path] = value
        return None if value is None else compare(value, operand)

    return fact_leaf


def _member_leaf(path: str, head: str, key: str, choices: list[Any]) -> Evaluator | None:
    """``{fact: this.key or item.key, in: [literals]}`` on a fact of :data:`HASHABLE_KINDS`, as one closure that
    looks the value up in a set (see :func:`_single_leaf`)."""
    try:
        contains = frozenset(choices).__contains__
    except TypeError:  # an unhashable literal: the general leaf
        return None
    if head == "this":

        def this_member(ctx: Ctx) -> bool | None:
            this = ctx.this
            value = this.get(key) if isinstance(this, dict) else None
            return None if value is None else contains(value)

        return this_member
    tail = path[4:]

    def item_member(ctx: Ctx) -> bool | None:
        item = ctx.item
        value = item.get(key) if isinstance(item, dict) else None
        ctx.used[ctx.item_label + tail] = value
        return None if value is None else contains(value)

    return item_member


def _this_against(key: str, compare: Callable[[Any, Any], bool], other: Callable[[Ctx], Any]) -> Evaluator:
    """``{fact: this.key, <comparison>: {fact: …} or {param: …}}``: a counted record's field against another value
    (a record's date against the year's bounds), as one closure (see :func:`_single_leaf`)."""

    def this_against(ctx: Ctx) -> bool | None:
        this = ctx.this
        value = this.get(key) if isinstance(this, dict) else None
        if value is None:
            return None
        against = other(ctx)
        return None if against is None else compare(value, against)

    return this_against


def _candidates(memo: dict, items: Any, skip: tuple[str, Any]) -> Any:
    """The elements of ``items`` a ``count`` must look at when its condition needs ``key == literal``: those with
    that value and those without the key (in list order), from a per-unit index of the list by ``key``."""
    key, literal = skip
    index = memo.get((id(items), key))
    if index is None:
        index = memo[(id(items), key)] = (items, _by_value(items, key))  # holding items keeps its id unique
    by_value = index[1]
    if by_value is None:
        return [e for e in items if not isinstance(e, dict) or e.get(key) is None or e.get(key) == literal]
    buckets, loose = by_value
    try:
        found = buckets.get(literal, ())
    except TypeError:  # an unhashable literal: compare one by one
        return [e for e in items if not isinstance(e, dict) or e.get(key) is None or e.get(key) == literal]
    if not loose:
        return [items[i] for i in found]
    return [items[i] for i in sorted((*found, *loose))]


def _by_value(items: Any, key: str) -> tuple[dict[Any, list[int]], list[int]] | None:
    """Positions of the elements by their value of ``key``, and those without it; ``None`` if a value cannot be
    a dict key."""
    buckets: dict[Any, list[int]] = {}
    loose: list[int] = []
    try:
        for i, element in enumerate(items):
            value = element.get(key) if isinstance(element, dict) else None
            if value is None:
                loose.append(i)
            else:
                buckets.setdefault(value, []).append(i)
    except TypeError:
        return None
    return buckets, loose


def _literal_text(value: Any, labels: dict[Any, str] | None = None) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):
        return "［" + "、".join(_literal_text(v, labels) for v in value) + "］"
    return (labels or {}).get(value, str(value))


# --- the operator table ---------------------------------------------------------------------------
# Every leaf operator a pack may use, with how it reads in Chinese and how it compiles to a three-valued
# test ``(ctx, fact value) -> True | False | None``. Adding an operator is one entry here.

Test = Callable[[Ctx, Any], "bool | None"]


@dataclass(frozen=True)
class Operator:
    name: str
    group: str
    """``comparison`` (against a value or another fact), ``date`` (relative to the check date) or ``presence``."""
    compile: Callable[[Compiler, Any, FactType, str], tuple[Test, str]]


def _exists(c: Compiler, operand: Any, ftype: FactType, where: str) -> tuple[Test, str]:
    if not isinstance(operand, bool):
        raise ConditionError(where, "exists 的值应为 true 或 false")
    return (lambda ctx, v: (v is not None) == operand), ("已填报" if operand else "未填报")


def _date_fact(name: str, ftype: FactType, where: str) -> None:
    if ftype.kind != "date":
        raise ConditionError(where, f"{name} 只能用于日期事实（此事实类型为 {ftype.kind}）")


def _in_check_year(c: Compiler, operand: Any, ftype: FactType, where: str) -> tuple[Test, str]:
    _date_fact("in_check_year", ftype, where)
    if operand is not True:
        raise ConditionError(where, "in_check_year 的值应为 true")
    return (lambda ctx, v: None if v is None else v.year == ctx.as_of.year), "在检查年度内"


def _within(name: str, sign: int, text: str) -> Callable[[Compiler, Any, FactType, str], tuple[Test, str]]:
    """``within_last_days`` (sign 1: up to n days before the check date) and ``within_next_days`` (sign -1)."""

    def compile(c: Compiler, operand: Any, ftype: FactType, where: str) -> tuple[Test, str]:
        _date_fact(name, ftype, where)
        get_n, n_text, _ = c.value(operand, where)
        return (lambda ctx, v: None if v is None else 0 <= sign * (ctx.as_of - v).days <= get_n(ctx)), text.format(n=n_text)

    return compile


def _operand(c: Compiler, operand: Any, ftype: FactType, where: str) -> tuple[Callable[[Ctx], Any], str]:
    get, text, _ = c.value(operand, where)
    if ftype.labels and not isinstance(operand, dict):
        text = _literal_text(operand, ftype.labels)
    return get, text


def _membership(positive: bool, word: str) -> Callable[[Compiler, Any, FactType, str], tuple[Test, str]]:
    def compile(c: Compiler, operand: Any, ftype: FactType, where: str) -> tuple[Test, str]:
        get, text = _operand(c, operand, ftype, where)
        if not isinstance(operand, (list, dict)):
            raise ConditionError(where, f"{'in' if positive else 'not_in'} 的值应为列表")
        if isinstance(operand, list):
            c._check_choices(ftype, operand, where)
        return (lambda ctx, v: None if v is None else ((v in get(ctx)) == positive)), f"{word} {text}"

    return compile


def _contains(c: Compiler, operand: Any, ftype: FactType, where: str) -> tuple[Test, str]:
    get, text = _operand(c, operand, ftype, where)
    return (lambda ctx, v: None if v is None else get(ctx) in v), f"包含 {text}"


def _comparison(name: str, compare: Callable[[Any, Any], bool], symbol: str,
                ordered: bool) -> Callable[[Compiler, Any, FactType, str], tuple[Test, str]]:
    def compile(c: Compiler, operand: Any, ftype: FactType, where: str) -> tuple[Test, str]:
        get, text = _operand(c, operand, ftype, where)
        if ordered and ftype.kind not in ORDERED_KINDS:
            raise ConditionError(where, f"{name} 只能用于数字或日期（此事实类型为 {ftype.kind}）")
        if not isinstance(operand, dict):
            c._check_literal(ftype, operand, where)
        if isinstance(operand, dict) or operand is None:
            def test(ctx: Ctx, v: Any) -> bool | None:
                other = get(ctx)
                return None if v is None or other is None else compare(v, other)
        else:
            def test(ctx: Ctx, v: Any) -> bool | None:
                return None if v is None else compare(v, operand)
        return test, f"{symbol} {text}"

    return compile


OPERATORS: dict[str, Operator] = {o.name: o for o in (
    Operator("eq", "comparison", _comparison("eq", operator.eq, "=", False)),
    Operator("ne", "comparison", _comparison("ne", operator.ne, "≠", False)),
    Operator("gt", "comparison", _comparison("gt", operator.gt, ">", True)),
    Operator("gte", "comparison", _comparison("gte", operator.ge, "≥", True)),
    Operator("lt", "comparison", _comparison("lt", operator.lt, "<", True)),
    Operator("lte", "comparison", _comparison("lte", operator.le, "≤", True)),
    Operator("in", "comparison", _membership(True, "属于")),
    Operator("not_in", "comparison", _membership(False, "不属于")),
    Operator("contains", "comparison", _contains),
    Operator("in_check_year", "date", _in_check_year),
    Operator("within_last_days", "date", _within("within_last_days", 1, "在检查日前 {n} 天内")),
    Operator("within_next_days", "date", _within("within_next_days", -1, "在检查日后 {n} 天内")),
    Operator("exists", "presence", _exists),
)}
COMPARISONS = tuple(name for name, o in OPERATORS.items() if o.group == "comparison")
DATE_OPS = tuple(name for name, o in OPERATORS.items() if o.group == "date")
LEAF_OPS = tuple(OPERATORS)
