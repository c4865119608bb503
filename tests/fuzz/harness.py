"""Fuzzing every command: hostile inputs (profiles drawn from the profile schema by hypothesis, random byte
mutations of the fixtures, of a JSON Lines batch and of XLSX workbooks) run through the CLI in subprocesses,
each with a time and memory limit. A run fails on a traceback, a time-out or a peak RSS over the limit."""

from __future__ import annotations

import copy
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
AS_OF = "2025-11-20"

CPU_LIMIT = 10.0
"""CPU seconds a command may take for an input of at most 1 MB (CPU, not wall time: the machine may be loaded)."""
WALL_LIMIT = 60.0
"""Wall seconds after which a run is killed and counted as a time-out."""
RSS_LIMIT_MB = 500
ADDRESS_SPACE = 3 * 1024**3
"""RLIMIT_AS of each run, a guard for the machine (a run beyond it fails with MemoryError, a traceback)."""

HOSTILE_TEXT = ["\x00", "\x1b[31m红\x1b[0m", "\u202e", "<script>alert(1)</script>", "=cmd|' /C calc'!A0",
                "../../etc/passwd", "CON", "$\\frac{1}{2}$", "{unit.name}" * 50, "单" * 5000, "\t\r\n", ""]
HOSTILE_VALUES: list[Any] = [*HOSTILE_TEXT, 10**30, -(10**20), -1, 0, 1e308, float("nan"), True, None, [], {},
                             "2025-13-40", "0000-00-00", "9999-12-31", [[[[[]]]]], {"a": {"b": {"c": None}}}]
SNIPPETS = [b"\x00", b"\x1b[31m", b"\\u0000", b"\\ud800", b"\xed\xa0\x80", b"\xff\xfe", b"&a", b"*a", b"[" * 200,
            b"99999999999999999999999999", b"-1", b"<script>", b"=cmd|' /C calc'!A0", b"\t", b": ", b"- ", b"\"",
            b"\n  - \n", b"\r\n", b"\xe2\x80\xae", b"9999-99-99", "单位".encode() * 1000]


INTERNAL_MARKS = ("，该单位未检查", "（内部错误", '"code": "INTERNAL"', '"ruleId": "INTERNAL"', "检查进程异常退出")
"""How an exception the pipeline caught shows in its output: as much a failure as a traceback."""


@dataclass
class Run:
    """One command run on one input."""

    category: str
    command: str
    args: list[str]
    code: int = 0
    cpu: float = 0.0
    wall: float = 0.0
    rss_mb: float = 0.0
    timed_out: bool = False
    traceback: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.traceback) or self.timed_out or self.cpu > CPU_LIMIT or self.rss_mb > RSS_LIMIT_MB \
            or self.code < 0

    def describe(self) -> str:
        return (f"[{self.category}] {self.command}: exit {self.code}, cpu {self.cpu:.1f}s, wall {self.wall:.1f}s, "
                f"rss {self.rss_mb:.0f}MB{' TIMEOUT' if self.timed_out else ''}\n  {' '.join(self.args)[:300]}\n"
                f"{self.traceback[-1500:]}")


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_cli(args: list[str], cwd: Path, category: str, command: str) -> Run:
    """``python -m compliance ARGS`` with outputs in files, timed (CPU and wall) and measured (peak RSS)."""
    run = Run(category, command, args)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COMPLIANCE_USER": "fuzz", "MPLBACKEND": "Agg"}
    env.pop("CI", None)
    out, err = cwd / "stdout.txt", cwd / "stderr.txt"
    start = time.monotonic()
    with open(out, "wb") as o, open(err, "wb") as e:
        process = subprocess.Popen([sys.executable, "-m", "compliance", *args], cwd=cwd, stdout=o, stderr=e,
                                   stdin=subprocess.DEVNULL, env=env, preexec_fn=_limit)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > WALL_LIMIT:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                run.timed_out = True
                break
            time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    run.code = process.returncode
    run.wall = time.monotonic() - start
    run.cpu = usage.ru_utime + usage.ru_stime
    run.rss_mb = usage.ru_maxrss / 1024
    stderr = err.read_bytes().decode("utf-8", "replace")
    with open(out, "rb") as handle:
        stdout = handle.read(8 << 20).decode("utf-8", "replace")
    internal = [text for text in (stderr, stdout) if any(mark in text for mark in INTERNAL_MARKS)]
    if "Traceback" in stderr or run.code < 0 or internal:
        run.traceback = stderr if "Traceback" in stderr or not internal else internal[0][-3000:]
    return run


# --- inputs ---------------------------------------------------------------------------------------------


def fixture_bytes() -> list[tuple[str, bytes]]:
    """(name, bytes) of each shipped fixture profile (both standards)."""
    files = sorted(FIXTURES.glob("*.yaml")) + sorted((ROOT / "fixtures-sanhui").glob("*.yaml"))
    return [(p.name, p.read_bytes()) for p in files]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """A few random edits: flipped bytes, inserted hostile snippets, deleted or repeated slices, a truncation."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        at = rng.randrange(len(buf) + 1)
        if op < 0.3 and buf:
            buf[min(at, len(buf) - 1)] = rng.randrange(256)
        elif op < 0.65:
            buf[at:at] = rng.choice(SNIPPETS)
        elif op < 0.8:
            del buf[at:at + rng.randint(1, 200)]
        elif op < 0.95:
            end = min(len(buf), at + rng.randint(1, 400))
            buf[at:at] = bytes(buf[at:end]) * rng.randint(2, 50)
        else:
            del buf[at:]
    return bytes(buf)


def mutate_zip(data: bytes, rng: random.Random) -> bytes:
    """An XLSX mutated inside (a sheet's XML edited and zipped again) or as raw bytes."""
    import io
    import zipfile

    if rng.random() < 0.3:
        return mutate(data, rng)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        victim = rng.choice([n for n in names if n.endswith(".xml")] or names)
        for name in names:
            content = source.read(name)
            if name == victim:
                content = mutate(content, rng)
                if rng.random() < 0.2:
                    content = content.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>', 1)
            target.writestr(name, content)
    return out.getvalue()


def schema_strategy(schema: dict[str, Any]) -> Any:
    """A hypothesis strategy of values for a JSON schema (as pydantic writes it): mostly valid, sometimes hostile."""
    from hypothesis import strategies as st

    defs = schema.get("$defs", {})
    hostile = st.sampled_from(HOSTILE_VALUES).map(copy.deepcopy)  # _inject must not change the shared values

    def of(node: dict[str, Any], depth: int = 0) -> Any:
        if "$ref" in node:
            return st.deferred(lambda: of(defs[node["$ref"].split("/")[-1]], depth + 1))
        if "anyOf" in node:
            return st.one_of([of(n, depth) for n in node["anyOf"]])
        if "const" in node:
            return st.just(node["const"])
        if "enum" in node:
            return st.sampled_from(node["enum"])
        kind = node.get("type")
        if kind == "object" and depth < 6:
            props = node.get("properties", {})
            required = {k: of(v, depth + 1) for k, v in props.items() if k in node.get("required", [])}
            optional = {k: of(v, depth + 1) for k, v in props.items() if k not in node.get("required", [])}
            return st.fixed_dictionaries(required, optional=optional)
        if kind == "array" and depth < 6:
            return st.lists(of(node.get("items", {}), depth + 1), max_size=4)
        if kind == "string":
            if node.get("format") == "date":
                return st.dates().map(str)
            return st.text(max_size=min(node.get("maxLength", 40), 40))
        if kind == "integer":
            return st.integers(node.get("minimum", -5), node.get("maximum", 10**6))
        if kind == "number":
            return st.floats(node.get("minimum", -5), node.get("maximum", 10**6), allow_nan=False)
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        return hostile

    def maybe_hostile(strategy: Any) -> Any:
        return st.one_of(strategy, strategy, strategy, strategy, hostile)

    base = of(schema)
    return st.tuples(base, st.lists(st.tuples(st.text(max_size=8), hostile), max_size=3)).map(
        lambda pair: _inject(pair[0], pair[1])).flatmap(lambda v: maybe_hostile(st.just(v)))


def _inject(profile: Any, extras: list[tuple[str, Any]]) -> Any:
    """Hostile values put at random keys of the profile's sections (``extras`` is drawn by hypothesis)."""
    if isinstance(profile, dict):
        for i, (key, value) in enumerate(extras):
            target = profile
            sections = [v for v in profile.values() if isinstance(v, dict)]
            if sections and i % 2:
                target = sections[i % len(sections)]
            target[key or "name"] = value
    return profile


def drawn_cases(count: int, seed: int) -> Iterator[Case]:
    """Profiles drawn from the schema outside a test (for a large corpus; the test itself uses ``@given``)."""
    import warnings

    from hypothesis.errors import NonInteractiveExampleWarning

    rng = random.Random(seed)
    strategy = profile_strategy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        for _ in range(count):
            name, data = profile_file(strategy.example(), rng)
            yield Case("按档案结构生成（hypothesis）", name, data)


def profile_strategy() -> Any:
    from compliance.domains.dangjian import DOMAIN

    return schema_strategy(DOMAIN.profile_model.model_json_schema(by_alias=False))


def profile_file(value: Any, rng: random.Random) -> tuple[str, bytes]:
    """A drawn profile as JSON (lone surrogates as escapes), as YAML, or as a line of JSON Lines."""
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5, default=str, allow_nan=True)
    kind = rng.choice(["json", "yaml", "jsonl"])
    return f"drawn.{kind}", text.encode("utf-8", "surrogatepass") + b"\n"


@dataclass
class Case:
    """One input file and the category it belongs to."""

    category: str
    name: str
    data: bytes
    extra: dict[str, Any] = field(default_factory=dict)


def byte_cases(count: int, seed: int) -> Iterator[Case]:
    """Byte mutations of the YAML fixtures, of the fixtures as JSON and of a JSON Lines batch, in turn."""
    rng = random.Random(seed)
    fixtures = fixture_bytes()
    import yaml

    as_json = [(n.replace(".yaml", ".json"), json.dumps(yaml.safe_load(b), ensure_ascii=False, default=str).encode())
               for n, b in fixtures]
    jsonl = b"\n".join(b for _, b in as_json[:5]) + b"\n"
    for i in range(count):
        kind = i % 3
        if kind == 0:
            name, data = rng.choice(fixtures)
            yield Case("YAML 字节变异", name, mutate(data, rng))
        elif kind == 1:
            name, data = rng.choice(as_json)
            yield Case("JSON 字节变异", name, mutate(data, rng))
        else:
            yield Case("JSONL 字节变异", "batch.jsonl", mutate(jsonl, rng))


def xlsx_seeds(work: Path) -> dict[str, bytes]:
    """A filled XLSX form (init + fixture) and a ledger export, as bytes."""
    seeds: dict[str, bytes] = {}
    work.mkdir(parents=True, exist_ok=True)
    form = work / "form.xlsx"
    if run_cli(["init", "--xlsx", "市测试局", "-o", str(form), "--force"], work, "seed", "init").code == 0:
        seeds["form.xlsx"] = form.read_bytes()
    db = work / "seed.sqlite"
    run_cli(["ledger", "sync", str(FIXTURES), "--as-of", AS_OF, "--db", str(db)], work, "seed", "sync")
    export = work / "ledger.xlsx"
    if run_cli(["ledger", "export", "-o", str(export), "--db", str(db), "--force"], work, "seed", "export").code == 0:
        seeds["ledger.xlsx"] = export.read_bytes()
    return seeds


def xlsx_cases(count: int, seed: int, seeds: dict[str, bytes]) -> Iterator[Case]:
    rng = random.Random(seed)
    names = sorted(seeds)
    for i in range(count):
        name = names[i % len(names)]
        yield Case("XLSX 变异", name, mutate_zip(seeds[name], rng))


# --- commands -------------------------------------------------------------------------------------------

VALIDATE_FORMATS = ["text", "json", "junit", "sarif"]
LEDGER_EXPORTS = ["xlsx", "csv", "json"]


def commands(case: Case, path: Path, work: Path, index: int, seed_db: Path | None) -> list[tuple[str, list[str]]]:
    """The command lines to run on one input (formats rotate with ``index`` so that all are covered)."""
    p = str(path)
    out = work / "out"
    db = work / "ledger.sqlite"
    if case.name == "ledger.xlsx":
        if seed_db is not None:
            shutil.copy(seed_db, db)
        return [("ledger import --dry-run", ["ledger", "import", p, "--dry-run", "--db", str(db)])]
    if case.name.endswith(".xlsx"):
        return [("import", ["import", p, "-o", str(out / "导入.yaml"), "--as-of", AS_OF, "--force"]),
                ("validate xlsx", ["validate", p, "--as-of", AS_OF, "--format", VALIDATE_FORMATS[index % 4]])]
    check = ["check", p, "--as-of", AS_OF, "-j", "1", "--format", "table"]
    for fmt in ("md", "csv", "json", "jsonl", "junit", "sarif"):
        check += ["-o", f"{fmt}={out / ('结果.' + fmt)}"]
    runs = [("check (all formats)", check),
            (f"validate {VALIDATE_FORMATS[index % 4]}",
             ["validate", p, "--as-of", AS_OF, "--format", VALIDATE_FORMATS[index % 4]])]
    turn = index % 3
    if turn == 0:
        runs.append(("report", ["report", p, "-o", str(out / "报告"), "--as-of", AS_OF, "--force"]))
    elif turn == 1:
        runs.append(("ledger sync", ["ledger", "sync", p, "--as-of", AS_OF, "--db", str(db)]))
        fmt = LEDGER_EXPORTS[(index // 3) % 3]
        runs.append((f"ledger export {fmt}", ["ledger", "export", "--format", fmt, "-o", str(out / f"台账.{fmt}"),
                                              "--db", str(db), "--force", "--as-of", AS_OF]))
    else:
        runs.append(("validate json", ["validate", p, "--as-of", AS_OF, "--format", "json"]))
    return runs


def run_case(case: Case, work: Path, index: int, seed_db: Path | None, batch: list[Case] | None = None) -> list[Run]:
    """Every command of ``commands`` on one input in a fresh folder; with ``batch`` (profiles of one category),
    on a folder holding all of them, so that one process checks several inputs (large corpora)."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    (work / "out").mkdir()
    if batch:
        path = work / "in"
        path.mkdir()
        for i, item in enumerate(batch):
            (path / f"{i:03d}-{item.name}").write_bytes(item.data)
    else:
        path = work / case.name
        path.write_bytes(case.data)
    runs = []
    for command, args in commands(case, path, work, index, seed_db):
        run = run_cli(args, work, case.category, command)
        runs.append(run)
        if command == "ledger sync" and run.traceback:
            break
    record(runs, len(batch) if batch else 1)
    shutil.rmtree(work, ignore_errors=True)
    return runs


def record(runs: list[Run], inputs: int = 1) -> None:
    """Append the runs of one input to the log named by ``COMPLIANCE_FUZZ_LOG`` (for :func:`table_from_log`)."""
    target = os.environ.get("COMPLIANCE_FUZZ_LOG")
    if target and runs:
        lines = [json.dumps({"category": r.category, "command": r.command, "cpu": r.cpu, "wall": r.wall,
                             "rss_mb": r.rss_mb, "timed_out": r.timed_out, "traceback": r.traceback[-2000:],
                             "code": r.code, "input": inputs if i == 0 else 0}, ensure_ascii=False)
                 for i, r in enumerate(runs)]
        with open(target, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")


def table_from_log(path: str) -> str:
    runs, inputs = [], {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        inputs[item["category"]] = inputs.get(item["category"], 0) + item.pop("input")
        runs.append(Run(item["category"], item["command"], [], item["code"], item["cpu"], item["wall"],
                        item["rss_mb"], item["timed_out"], item["traceback"]))
    return table(runs, inputs)


def table(runs: list[Run], inputs: dict[str, int]) -> str:
    """Markdown table per category: inputs, runs, tracebacks, time-outs, runs over limits, peak CPU and RSS."""
    lines = ["| 类别 | 输入数 | 运行次数 | Traceback | 超时 | 超限 | 最长 CPU 秒 | 峰值 RSS (MB) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for category in list(inputs) + ["合计"]:
        chosen = [r for r in runs if category in ("合计", r.category)]
        count = sum(inputs.values()) if category == "合计" else inputs[category]
        if not chosen:
            continue
        lines.append(f"| {category} | {count} | {len(chosen)} | {sum(bool(r.traceback) for r in chosen)} | "
                     f"{sum(r.timed_out for r in chosen)} | {sum(r.failed for r in chosen)} | "
                     f"{max(r.cpu for r in chosen):.1f} | {max(r.rss_mb for r in chosen):.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":  # python tests/fuzz/harness.py LOG: the table of a large run
    print(table_from_log(sys.argv[1]))
