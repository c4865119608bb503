"""``check --engine durable``: the same packs, matched by durable_rules in an isolated worker process.

Division of labour. Python loads, validates and derives facts exactly as for the default engine,
enumerates the subjects of each rule (``foreach`` and its ``where``) and evaluates every *leaf*
condition (one fact compared with a value, or a ``count``) to true / false / unknown. Each
(rule, subject) becomes one durable_rules **fact** ``{r: rule, l0: "t", l1: "u", …}``. The pack is
compiled into one durable_rules ruleset: for every rule, one durable rule per outcome (符合 / 不符合 /
待核实 / 不适用) whose condition is the three-valued (Kleene) logic of the rule's ``when``/``expect``
tree written out over the leaf values (as alternatives of "leaf i is t / is not f / …"), so that
exactly one outcome matches each fact. durable_rules
therefore decides every state; Python then replays the tree over the same leaf values to rebuild the
facts used (the default engine records facts in evaluation order, with short-circuit) and refuses any
disagreement.

Measured durable_rules 2.0.28 problems and how they are avoided: only facts are asserted (one rule
fires per *event*); the outcome rules are exhaustive, so "no rule matched" cannot happen; no negation
(``$nex``) is used; all facts of a batch go to one session and are retracted once classified (no
``delete_state``, no thousands of sessions). Found while building this: with many facts in one call,
durable_rules runs part of the actions later on its own dispatch thread, so the worker waits until
every fact has its outcome before retracting; and a rule whose condition expands to more than about
ten alternatives is refused (error 113), so each outcome is split into rules of at most eight.

The matcher runs in a ``spawn`` worker process with a time limit per batch; a crash or hang kills and
restarts the worker, retries the batch once, then reports its units as errors (Chinese message) while
the rest of the run goes on.

Longer than 400 lines because the rule plan, the worker process protocol and the time limits are one
unit: each half is only correct with the other.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Union

from compliance.findings import Finding
from compliance.engine.conditions import COMBINATORS, Compiled, Compiler, Ctx
from compliance.engine.evaluate import SETTLED, make_finding, rule_subjects, unit_waivers
from compliance.inputs.loader import InputError, Problem
from compliance.engine.pack import CompiledRule, Foreach, Pack

TIMEOUT_BASE = 30.0
TIMEOUT_PER_CASE = 0.01
STARTUP_TIMEOUT = 60.0
SETTLE_LIMIT = 10.0

# A condition tree: ("leaf", index) | ("all" | "any", [trees]) | ("not", tree) | ("true",) for no ``when``.
Tree = Union[tuple[str, int], tuple[str, list], tuple[str, Any]]
T, F, U, E = "t", "f", "u", "e"


class DurableError(Exception):
    """The durable_rules worker crashed, hung or disagreed; the message is for users (Chinese)."""


def available() -> bool:
    try:
        import durable.lang  # noqa: F401
    except ImportError:
        return False
    return True


# --- compiling a pack into trees of leaves -------------------------------------------------------

@dataclass
class RulePlan:
    compiled: CompiledRule
    when: Tree | None
    expect: Tree
    leaves: list[Compiled]


def _tree(spec: Any, compiler: Compiler, where: str, leaves: list[Compiled]) -> Tree:
    combinator = next((k for k in COMBINATORS if k in spec), None)
    if combinator == "not":
        return ("not", _tree(spec["not"], compiler, f"{where}.not", leaves))
    if combinator is not None:
        return (combinator, [_tree(s, compiler, f"{where}.{combinator}[{i}]", leaves) for i, s in enumerate(spec[combinator])])
    leaves.append(compiler.compile(spec, where))
    return ("leaf", len(leaves) - 1)


def plan_pack(pack: Pack) -> list[RulePlan]:
    """Leaf lists and trees for every enabled rule (compiled by the same compiler as the default engine)."""
    schema = pack.domain.fact_schema()
    plans = []
    for index, compiled in enumerate(pack.rules):
        rule = compiled.rule
        if not rule.enabled:
            continue
        item_type = None
        if rule.foreach is not None:
            spec = Foreach(path=rule.foreach) if isinstance(rule.foreach, str) else rule.foreach
            item_type = Compiler(schema, pack.params).fact_type(spec.path, "foreach").element
        compiler = Compiler(schema, pack.params, item_type)
        leaves: list[Compiled] = []
        when = _tree(rule.when, compiler, f"rules[{index}].when", leaves) if rule.when is not None else None
        expect = _tree(rule.expect, compiler, f"rules[{index}].expect", leaves)
        plans.append(RulePlan(compiled, when, expect, leaves))
    return plans


def _shape(tree: Tree | None) -> Any:
    """The tree without compiled leaves: plain data the worker can receive."""
    if tree is None:
        return None
    if tree[0] == "leaf":
        return tree
    if tree[0] == "not":
        return ("not", _shape(tree[1]))
    return (tree[0], [_shape(t) for t in tree[1]])


# --- the durable_rules side (runs in the worker) ------------------------------------------------

Term = dict[int, frozenset]
_ALL = frozenset((T, F, U))
_GROUP = 8  # durable_rules refuses a rule whose condition expands to more than about ten alternatives


def _product(left: list[Term], right: list[Term]) -> list[Term]:
    out = []
    for a in left:
        for b in right:
            term = dict(a)
            for leaf, allowed in b.items():
                term[leaf] = term.get(leaf, _ALL) & allowed
            if all(term.values()) and term not in out:
                out.append(term)
    return out


def _union(lists: list[list[Term]]) -> list[Term]:
    out: list[Term] = []
    for terms in lists:
        out.extend(t for t in terms if t not in out)
    return out


def terms(tree: Any, want: str) -> list[Term]:
    """Alternatives (leaf → allowed values) under which ``tree`` is T, F, not T (nT) or not F (nF)."""
    kind = tree[0]
    if kind == "leaf":
        return [{tree[1]: {"T": frozenset(T), "F": frozenset(F), "nT": frozenset((F, U)), "nF": frozenset((T, U))}[want]}]
    if kind == "not":
        return terms(tree[1], {"T": "F", "F": "T", "nT": "nF", "nF": "nT"}[want])
    children = tree[1]
    # Kleene logic: ``all`` is T when every child is T and F when some child is F; ``any`` is the dual.
    every = {"all": ("T", "nF"), "any": ("F", "nT")}[kind]
    if want in every:
        out: list[Term] = [{}]
        for child in children:
            out = _product(out, terms(child, want))
        return out
    return _union([terms(child, want) for child in children])


def outcomes(when: Any, expect: Any) -> dict[str, list[Term]]:
    """For each state, the alternatives of leaf values that produce it (the default engine's ``_decide``)."""
    def unknown(tree: Any) -> list[Term]:
        return _product(terms(tree, "nT"), terms(tree, "nF"))

    if when is None:
        return {"pass": terms(expect, "T"), "fail": terms(expect, "F"), "unknown": unknown(expect)}
    return {
        "not_applicable": terms(when, "F"),
        "pass": _product(terms(when, "nF"), terms(expect, "T")),
        "fail": _product(terms(when, "T"), terms(expect, "F")),
        "unknown": _union([_product(terms(when, "T"), unknown(expect)), _product(unknown(when), terms(expect, "nT"))]),
    }


def _build_ruleset(name: str, shapes: list[tuple[Any, Any]], results: dict[int, str]) -> int:
    """One durable_rules ruleset: for every pack rule and outcome, rules over the leaf values; returns their count."""
    from durable.lang import m, ruleset, when_all

    def literal(leaf: int, allowed: frozenset) -> Any:
        field = getattr(m, f"l{leaf}")
        if len(allowed) == 1:
            return field == next(iter(allowed))
        return field != next(iter(_ALL - allowed))

    def classify(state: str) -> Any:
        def action(c: Any) -> None:
            fid = c.m.id
            results[fid] = state if results.get(fid, state) == state else "conflict"

        return action

    count = 0
    with ruleset(name):
        for index, (when, expect) in enumerate(shapes):
            for state, alternatives in outcomes(when, expect).items():
                for start in range(0, len(alternatives), _GROUP):
                    expr = None
                    for term in alternatives[start:start + _GROUP]:
                        conj = m.r == index
                        for leaf, allowed in sorted(term.items()):
                            if allowed != _ALL:
                                conj = conj & literal(leaf, allowed)
                        expr = conj if expr is None else expr | conj
                    when_all(expr)(classify(state))
                    count += 1
    return count


def _worker(conn: Any, name: str, shapes: list[tuple[Any, Any]]) -> None:
    """Worker process: build the ruleset, then classify batches of cases until told to stop."""
    import durable.lang as dl

    results: dict[int, str] = {}
    try:
        _build_ruleset(name, shapes, results)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as text
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    ids = itertools.count()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        facts = []
        keys = []
        for rule, values in message:
            fid = next(ids)
            fact = {"id": fid, "r": rule}
            fact.update({f"l{i}": v for i, v in enumerate(values)})
            facts.append(fact)
            keys.append(fid)
        try:
            results.clear()
            if facts:
                dl.assert_facts(name, facts)
                # Actions the session could not run at once are run by durable_rules' own dispatch thread.
                waiting, deadline = keys, time.monotonic() + SETTLE_LIMIT
                while waiting and time.monotonic() < deadline:
                    waiting = [k for k in waiting if k not in results]
                    if waiting:
                        time.sleep(0.001)
                dl.retract_facts(name, facts)
            conn.send(("ok", [results.get(k) for k in keys]))
        except Exception as exc:  # noqa: BLE001
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class Matcher:
    """The parent's handle on one worker process; restarts it after a crash or a hang."""

    def __init__(self, shapes: list[tuple[Any, Any]], timeout: float | None = None):
        self.shapes = shapes
        self.name = f"compliance_{os.getpid()}_{id(self)}"
        self.timeout = timeout
        self.process: Any = None
        self.conn: Any = None

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, self.name, self.shapes), daemon=True)
        self.process.start()
        child.close()
        self.conn = parent
        kind, detail = self._receive(STARTUP_TIMEOUT, "启动")
        if kind != "ready":
            self.stop()
            raise DurableError(f"durable_rules 规则集编译失败：{detail}")

    def stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                try:
                    self.conn.send(None)
                except OSError:
                    pass
                self.process.join(1)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
            self.conn.close()
        self.process = self.conn = None

    def _receive(self, timeout: float, what: str) -> tuple[str, Any]:
        try:
            ready = self.conn.poll(timeout)
            if ready:
                return self.conn.recv()
        except (EOFError, OSError):
            ready = True
        code = self.process.exitcode
        self.stop()
        if not ready:
            raise DurableError(f"durable_rules 工作进程{what}超时（{timeout:.0f} 秒未响应），已终止")
        raise DurableError(f"durable_rules 工作进程{what}时异常退出（退出码 {code}）")

    def classify(self, cases: list[tuple[int, list[str]]]) -> list[str]:
        """The state of each case, decided by durable_rules; retried once in a fresh worker."""
        timeout = self.timeout or TIMEOUT_BASE + TIMEOUT_PER_CASE * len(cases)
        for attempt in (1, 2):
            if self.process is None:
                self.start()
            try:
                self.conn.send(cases)
                kind, detail = self._receive(timeout, "匹配")
            except DurableError:
                if attempt == 2:
                    raise
                continue
            except (BrokenPipeError, OSError):
                self.stop()
                if attempt == 2:
                    raise DurableError("durable_rules 工作进程已退出") from None
                continue
            if kind != "ok":
                raise DurableError(f"durable_rules 匹配出错：{detail}")
            if any(state in (None, "conflict") for state in detail):
                raise DurableError("durable_rules 没有为部分检查项给出唯一结果")
            return detail
        raise AssertionError("unreachable")


# --- the Python side --------------------------------------------------------------------------

def _leaf_values(plan: RulePlan, ctx: Ctx) -> tuple[list[str], list[dict], list[str | None]]:
    """Every leaf's value, the facts it recorded, and its type error, if any."""
    values, used, errors = [], [], []
    for leaf in plan.leaves:
        ctx.used = {}
        error = None
        try:
            result = leaf.run(ctx)
        except TypeError as exc:
            result, error = None, f"数据类型不符：{exc}"
        values.append(E if error else T if result is True else F if result is False else U)
        used.append(ctx.used)
        errors.append(error)
    return values, used, errors


class _Replay(Exception):
    def __init__(self, error: str):
        self.error = error


def _replay(tree: Tree, values: list[str], used: list[dict], errors: list[str | None], out: dict) -> bool | None:
    """The default engine's evaluation order over known leaf values, recording facts into ``out``."""
    kind = tree[0]
    if kind == "leaf":
        index = tree[1]
        out.update(used[index])
        if errors[index]:
            raise _Replay(errors[index])
        return {T: True, F: False, U: None}[values[index]]
    if kind == "not":
        result = _replay(tree[1], values, used, errors, out)
        return None if result is None else not result
    unknown = False
    stop = kind == "any"
    for child in tree[1]:
        result = _replay(child, values, used, errors, out)
        if result is stop:
            return stop
        if result is None:
            unknown = True
    return None if unknown else not stop


def _replay_state(plan: RulePlan, values: list[str], used: list[dict], errors: list[str | None], out: dict) -> str:
    if plan.when is not None:
        applies = _replay(plan.when, values, used, errors, out)
        if applies is False:
            return "not_applicable"
        if applies is None:
            return "pass" if _replay(plan.expect, values, used, errors, out) is True else "unknown"
    result = _replay(plan.expect, values, used, errors, out)
    return "pass" if result is True else "fail" if result is False else "unknown"


class DurableEvaluator:
    """``evaluate(pack, [(facts, source)], as_of)`` for :func:`compliance.pipeline.stream.check_records`."""

    def __init__(self, timeout: float | None = None):
        self.timeout = timeout
        self._plans: dict[int, tuple[Pack, list[RulePlan]]] = {}
        self._matchers: dict[tuple[int, int], Matcher] = {}

    def plans(self, pack: Pack) -> list[RulePlan]:
        cached = self._plans.get(id(pack))
        if cached is None or cached[0] is not pack:
            cached = self._plans[id(pack)] = (pack, plan_pack(pack))
        return cached[1]

    def matcher(self, pack: Pack) -> Matcher:
        key = (os.getpid(), id(pack))
        found = self._matchers.get(key)
        if found is None:
            shapes = [(_shape(p.when), _shape(p.expect)) for p in self.plans(pack)]
            found = self._matchers[key] = Matcher(shapes, self.timeout)
        return found

    def close(self) -> None:
        for matcher in self._matchers.values():
            matcher.stop()
        self._matchers.clear()

    def __call__(self, pack: Pack, units: list[tuple[dict, str]], as_of: dt.date,
                 settled: list[Counter] | None = None) -> list[list[Finding] | Problem]:
        """The findings of each unit ``(facts, source)``; given ``settled`` (one counter per unit), 符合/不适用 are
        only counted there."""
        plans = self.plans(pack)
        cases: list[tuple[int, list[str]]] = []
        pending = []  # (unit index, plan, subject, ctx, values, used, errors)
        for u, (facts, _source) in enumerate(units):
            memo: dict = {}
            for r, plan in enumerate(plans):
                for subject, ctx in rule_subjects(plan.compiled, facts, pack.params, as_of, memo):
                    values, used, errors = _leaf_values(plan, ctx)
                    pending.append((u, plan, subject, ctx, values, used, errors))
                    cases.append((r, [U if v == E else v for v in values]))
        try:
            states = self.matcher(pack).classify(cases)
        except DurableError as exc:
            return [Problem("", f"{exc}；该单位未检查（可改用默认引擎 --engine default）")] * len(units)
        try:
            return self._findings(pack, units, pending, states, as_of, settled)
        except DurableError as exc:
            return [Problem("", f"{exc}；该单位未检查（可改用默认引擎 --engine default）")] * len(units)

    @staticmethod
    def _findings(pack: Pack, units: list[tuple[dict, str]], pending: list, states: list[str], as_of: dt.date,
                  settled: list[Counter] | None) -> list[list[Finding] | Problem]:
        out: list[list[Finding] | Problem] = [[] for _ in units]
        identities = [pack.domain.identity(facts) for facts, _ in units]
        waivers = [unit_waivers(pack, facts, unit_id) for (facts, _), (unit_id, _) in zip(units, identities)]
        for (u, plan, subject, ctx, values, used, errors), state in zip(pending, states):
            ctx.used = {}
            try:
                replayed = _replay_state(plan, values, used, errors, ctx.used)
            except _Replay as exc:
                ctx.used["计算错误"] = exc.error
                replayed = state = "unknown"
            if replayed != state:
                raise DurableError(f"durable_rules 与默认引擎结论不一致（规则 {plan.compiled.id} {subject}：{state}≠{replayed}）")
            if settled is not None and state in SETTLED:
                settled[u][state] += 1
                continue
            findings = out[u]
            assert isinstance(findings, list)
            findings.append(make_finding(pack.domain, plan.compiled, subject, state, ctx, *identities[u], waivers[u],
                                         as_of, units[u][1]))
        return out


def evaluator(timeout: float | None = None) -> DurableEvaluator:
    """A durable_rules evaluator, or :class:`InputError` in Chinese when the extra is not installed."""
    if not available():
        raise InputError([Problem("--engine durable", "未安装 durable_rules：请运行 pip install 'compliance[durable]'，"
                                  "或改用默认引擎 --engine default")])
    return DurableEvaluator(timeout)

