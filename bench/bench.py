"""Benchmark: the floor (parse + validate) against the full check, on the same synthetic JSON Lines.

    python bench/bench.py                 # 1k units (quick)
    python bench/bench.py --size 100k     # 1k / 10k / 100k
    python bench/bench.py --size 10k --jobs 2 --no-durable
    python bench/bench.py --phases        # CPU µs per unit of each pipeline phase, and 10 hand-written rules

Every phase runs in its own subprocess, which reports its time and peak RSS (ru_maxrss); the fastest of 3 runs counts.
"""

from __future__ import annotations

import argparse
from collections import Counter
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2025, 11, 20)
SIZES = {"1k": 1_000, "2k": 2_000, "10k": 10_000, "100k": 100_000}
ORG_FORMS = {"union": "基层工会委员会", "league": "团支部", "women": "妇委会", "guan": "关工委"}
EVENT_TYPES = ["听取汇报", "专题研究", "书记参加活动", "组织活动", "培训", "推优入党"]
ORGS = ["党组织", "工会", "共青团", "妇委会", "关工委"]
KINDS = ["政治学习", "志愿服务", "文体活动", "技能竞赛", "巾帼建功", "关爱下一代", "联谊交流", "其他"]


def maybe(rng: random.Random, value, p_missing: float = 0.15):
    return None if rng.random() < p_missing else value


def day(rng: random.Random, start: int, end: int) -> str:
    """A date in [start, end], never after the check date (profiles describe the past)."""
    last = min(dt.date(end, 12, 31), AS_OF)
    return (dt.date(start, 1, 1) + dt.timedelta(days=rng.randrange((last - dt.date(start, 1, 1)).days))).isoformat()


def synthetic_profile(rng: random.Random, index: int) -> dict:
    """A plausible unit: sizes vary, sections and fields are sometimes missing, events and roster vary in length."""
    staff = rng.choice([8, 15, 30, 60, 120, 400, 1500])
    female = rng.randint(0, staff)
    league_members = rng.randint(0, min(40, staff))
    profile: dict = {
        "schema_version": 1,
        "unit": {"id": f"U-{index:07d}", "name": f"第{index}单位", "type": rng.choice(["机关", "事业单位", "国有企业", "学校"]),
                 "staff_total": staff, "staff_female": maybe(rng, female),
                 "staff_under_28": maybe(rng, rng.randint(0, staff // 3)), "league_members": maybe(rng, league_members),
                 "retired_party_members": maybe(rng, rng.randint(0, 80)), "founded": maybe(rng, day(rng, 1950, 2015))},
        "party": {"type": rng.choice(["机关党委", "党总支", "党支部"]), "secretary": "王书记", "term_years": rng.choice([3, 5]),
                  "last_election": maybe(rng, day(rng, 2019, 2025)), "reelection_request_filed": maybe(rng, rng.random() < 0.6)},
    }
    for key, form in ORG_FORMS.items():
        if rng.random() < 0.1:
            continue
        established = maybe(rng, rng.random() < 0.85, 0.05)
        if established is False:
            profile[key] = {"established": False}
            continue
        members = league_members if key == "league" else rng.randint(1, staff)
        org = {"established": established, "form": form, "leader": maybe(rng, "负责人"),
               "members": maybe(rng, members), "term_years": maybe(rng, rng.choice([3, 5])),
               "last_election": maybe(rng, day(rng, 2018, 2025)), "annual_funds": maybe(rng, rng.choice([0, 5000, 20000]))}
        if key == "union":
            org.update({"funds_review_committee": maybe(rng, rng.random() < 0.8), "female_committee": maybe(rng, rng.random() < 0.7),
                        "female_members": maybe(rng, rng.randint(0, min(female, members))), "independent_account": maybe(rng, rng.random() < 0.8),
                        "registered_members": maybe(rng, rng.randint(0, members)), "funds_rate": maybe(rng, rng.choice([0, 1, 2]))})
        if key == "league":
            org["smart_league_registered"] = maybe(rng, rng.random() < 0.8)
            org["records_reconciled_on"] = maybe(rng, day(rng, 2023, 2025))
            if rng.random() < 0.5:
                org["roster"] = [{"name": f"团员{j}", "birth_date": day(rng, 1993, 2005),
                                  "league_office": "团支部书记" if j == 0 else None} for j in range(members)]
        profile[key] = org
    for section, fields in {"responsibility": ["in_party_assessment", "in_secretary_review", "first_responsible_named",
                                               "planned_together", "checked_together"],
                            "venues": ["staff_home", "women_home", "party_room", "shared"],
                            "media": ["website_column", "wechat_column"]}.items():
        if rng.random() < 0.9:
            profile[section] = {f: maybe(rng, rng.random() < 0.75) for f in fields}
    profile["funding"] = {"in_unit_budget": maybe(rng, rng.random() < 0.8)}
    profile["events"] = [{"date": day(rng, 2024, 2025), "type": rng.choice(EVENT_TYPES), "org": rng.choice(ORGS),
                          "kind": maybe(rng, rng.choice(KINDS), 0.5), "title": "活动"} for _ in range(rng.randint(0, 25))]
    if rng.random() < 0.05:
        profile["waivers"] = [{"rule": "D3", "reason": "试点", "document": "批复〔2025〕1号", "expires": "2026-12-31"}]
    return profile


def generate(path: Path, units: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(units):
            out.write(json.dumps(synthetic_profile(rng, i), ensure_ascii=False))
            out.write("\n")


def default_pack():
    """The shipped 党建带群建 pack, as ``check`` uses it without ``--pack``."""
    from compliance.engine.domain import find_pack
    from compliance.engine.pack import load_pack

    return load_pack(find_pack("dangjian"))


# --- phases (each in its own process) ----------------------------------------------------------

def phase(name: str, path: str, jobs: int) -> dict:
    from compliance.pipeline.run import check_stream
    from compliance.domains.dangjian.profile import Profile
    from compliance.inputs.records import iter_records

    pack = default_pack()
    units = findings = errors = 0
    start = time.perf_counter()
    if name.startswith("cli"):
        from compliance.cli import main as cli

        fmt, *extra = name.split("-")[1:]
        options = ["--include-passed", "--self-contained"] if extra == ["all"] else []
        try:
            cli(["check", path, "--as-of", AS_OF.isoformat(), "--format", fmt, "-o", os.devnull, "--jobs", str(jobs),
                 *options], standalone_mode=False)
        except SystemExit:
            pass
        units = sum(1 for _ in open(path, "rb"))
    elif name == "engine":
        from compliance.engine.evaluate import check_unit
        from compliance.domains.dangjian.facts import derive
        from compliance.inputs.loader import parse_json

        with open(path, "rb") as handle:
            for line in handle:
                profile = Profile.model_validate(parse_json(line.decode("utf-8"), path))
                findings += len(check_unit(pack, derive(profile, AS_OF), AS_OF, path))
                units += 1
    elif name == "floor":
        with open(path, "rb") as handle:
            for line in handle:
                Profile.model_validate(json.loads(line))
                units += 1
    else:
        evaluate = None
        if name == "durable":
            from compliance.engine.durable import evaluator

            evaluate = evaluator()
        kwargs = {"evaluate": evaluate} if evaluate else {}
        for outcome in check_stream(pack, iter_records([path], []), AS_OF, jobs, **kwargs):
            units += 1
            findings += len(outcome.findings)
            errors += not outcome.ok
        if evaluate:
            evaluate.close()
    seconds = time.perf_counter() - start
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"units": units, "findings": findings, "errors": errors, "seconds": seconds, "rss_mb": rss / 1024}


# --- per-phase profile (--phases) ----------------------------------------------------------------

PHASES = ("parse", "validate", "quality", "derive", "check_unit", "render", "write")


def profile_phases(path: str, rounds: int = 3) -> dict:
    """CPU µs per unit of each phase of the pipeline, minimum over ``rounds`` passes; plus the floor
    (``json.loads`` + ``model_validate``), the evaluator on the 10 rules of :mod:`reference` and those rules
    written by hand (their states must agree), each of these two timed in its own loop over every unit's facts."""
    from time import process_time_ns as clock

    from compliance.engine.evaluate import check_unit, decisions
    from compliance.engine.pack import finish_findings
    from compliance.output.jsonl import JsonlWriter
    from compliance.pipeline.run import Outcome, parse_line, validate_profile

    sys.path.insert(0, str(Path(__file__).parent))
    from reference import RULE_IDS, hand_states

    pack = default_pack()
    domain, params = pack.domain, pack.params
    rules = [c for c in pack.rules if c.rule.enabled]
    ten = [pack.rule(r) for r in RULE_IDS]
    lines = Path(path).read_bytes().decode("utf-8").splitlines()
    sink = open(os.devnull, "w", encoding="utf-8")
    writer = JsonlWriter(sink, pack, AS_OF)
    everything = JsonlWriter(sink, pack, AS_OF, include_passed=True, self_contained=True)
    best: dict[str, float] = {}
    for _ in range(rounds):
        spent = dict.fromkeys((*PHASES, "evaluate", "check_all", "render_all", "floor", "floor_mixed", "rules10",
                               "hand10"), 0)
        every_facts: list[dict] = []
        for line in lines:
            t0 = clock()
            data = parse_line(line, path)  # as the pipeline: the depth walk only after a validation failure
            t1 = t2 = clock()
            profile = validate_profile(data, domain, path)
            t3 = clock()
            domain.assess(profile, AS_OF, path, None)
            t4 = clock()
            facts = domain.derive(profile, AS_OF, pack.for_check(AS_OF))
            t5 = clock()
            settled: Counter = Counter()  # as check does for outputs that list no 符合/不适用
            findings = finish_findings(pack, check_unit(pack, facts, AS_OF, path, settled), AS_OF)
            t6 = clock()
            outcome = Outcome(path, None, *domain.identity(facts), findings, settled=settled)
            text = writer.render(outcome)
            t7 = clock()
            outcome.rendered = text
            writer.add(outcome)
            t8 = clock()
            for part, (a, b) in zip(PHASES, ((t0, t1), (t2, t3), (t3, t4), (t4, t5), (t5, t6), (t6, t7),
                                              (t7, t8))):
                spent[part] += b - a
            t0 = clock()
            for _ in decisions(rules, facts, params, AS_OF):
                pass
            t1 = clock()
            spent["evaluate"] += t1 - t0
            t0 = clock()
            every = finish_findings(pack, check_unit(pack, facts, AS_OF, path), AS_OF)
            t1 = clock()
            everything.render(Outcome(path, None, *domain.identity(facts), every))
            t2 = clock()
            spent["check_all"] += t1 - t0
            spent["render_all"] += t2 - t1
            t0 = clock()
            domain.profile_model.model_validate(json.loads(line))
            spent["floor_mixed"] += clock() - t0
            every_facts.append(facts)
        # The floor, like the 10 reference rules below, in its own loop (as warm as it can be: the strictest floor).
        t0 = clock()
        for line in lines:
            domain.profile_model.model_validate(json.loads(line))
        spent["floor"] = clock() - t0
        # The 10 reference rules: each side in its own loop over the same facts, so both run equally warm.
        t0 = clock()
        engine = [[state for _, _, state, _ in decisions(ten, facts, params, AS_OF)] for facts in every_facts]
        t1 = clock()
        hand = [hand_states(facts, params) for facts in every_facts]
        t2 = clock()
        assert engine == hand
        spent["rules10"], spent["hand10"] = t1 - t0, t2 - t1
        every_facts.clear()
        for part, ns in spent.items():
            best[part] = min(best.get(part, float("inf")), ns / 1000 / len(lines))
    return {"units": len(lines), "rules": len(rules), "us": best}


def print_phases(result: dict) -> None:
    from tabulate import tabulate

    us = result["us"]
    floor = us["floor"]
    names = {"parse": "解析 JSON（orjson，检查重复的键；深度检查只在校验失败后）",
             "validate": "档案校验（先用原生校验器，它不接受的交给模型）", "quality": "数据质量检查",
             "derive": "派生事实", "check_unit": f"规则求值 + 构造 Finding（{result['rules']}条；符合、不适用只计数，同默认输出）",
             "evaluate": "其中：仅规则求值（decisions，不计入合计）",
             "check_all": "对照：构造全部 Finding，含符合、不适用（json、junit、--include-passed；不计入合计）",
             "render_all": "对照：JSONL 渲染 --include-passed --self-contained（不计入合计）",
             "render": "JSONL 渲染（默认：只写需处理的结果）", "write": "编码 + 写出", "floor": "底线：json.loads + model_validate（单独循环，最快，比值以此为准）",
             "floor_mixed": "对照：同一底线与各阶段交替测量（缓存同样冷）",
             "rules10": "引擎求值 10 条参照规则", "hand10": "手写 Python 的同 10 条规则"}
    rows = [[names[k], f"{us[k]:.1f}", f"{us[k] / floor:.2f}×"] for k in (*PHASES, "evaluate", "check_all", "render_all", "floor", "floor_mixed", "rules10", "hand10")]
    total = sum(us[k] for k in PHASES)
    rows.append(["合计（各阶段）", f"{total:.1f}", f"{total / floor:.2f}×"])
    print(tabulate(rows, headers=["阶段", "CPU 微秒/单位", "相对底线"], tablefmt="github", disable_numparse=True))
    print(f"\n{result['units']} 个单位，每阶段取 3 轮最小值；引擎每条规则 {us['rules10'] / 10:.2f} 微秒，"
          f"手写 {us['hand10'] / 10:.2f} 微秒（{us['rules10'] / us['hand10']:.2f}×）。")


def run_phase(name: str, path: Path, jobs: int, runs: int = 3) -> dict:
    """The fastest of ``runs`` runs of one phase, each in a fresh process (peak RSS: the largest)."""
    results = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, __file__, "--phase", name, "--jobs", str(jobs), str(path)],
                             capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout))
    best = min(results, key=lambda r: r["seconds"])
    return {**best, "rss_mb": max(r["rss_mb"] for r in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description="底线（解析+校验）与完整检查的吞吐量、峰值内存对比")
    parser.add_argument("--size", choices=[*SIZES, "all"], default="1k", help="单位数：1k（默认）、10k、100k 或 all（三种都跑）")
    parser.add_argument("--jobs", type=int, default=0, help="另测一行多进程（0 = CPU 核数；1 = 不测）")
    parser.add_argument("--no-durable", action="store_true", help="不测 durable_rules 引擎")
    parser.add_argument("--phases", action="store_true", help="各阶段每单位 CPU 微秒（解析、校验、质量、派生、求值、渲染、写出）")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.file, args.jobs)))
        return
    if args.phases:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "units.jsonl"
            generate(path, SIZES[args.size if args.size != "all" else "2k"])
            print_phases(profile_phases(str(path)))
        return
    from compliance.engine.durable import available
    from compliance.pipeline.parallel import default_jobs

    jobs = args.jobs or default_jobs()
    sizes = list(SIZES) if args.size == "all" else [args.size]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"units-{size}.jsonl"
            generate(path, SIZES[size])
            floor = run_phase("floor", path, 1)
            phases = [("(a) 底线：JSON 解析 + pydantic 校验", floor),
                      ("(b) 解析 + 校验 + 派生 + 全部规则（默认引擎，不含数据质量检查）", run_phase("engine", path, 1)),
                      ("(b) 完整检查流水线 check_stream（含数据质量检查，1 进程）", run_phase("default", path, 1))]
            if jobs > 1:
                phases.append((f"(b) 完整检查流水线 check_stream（{jobs} 进程）", run_phase("default", path, jobs)))
            phases.append(("(b′) 命令行端到端 check --format jsonl -o /dev/null（1 进程，默认输出）", run_phase("cli-jsonl", path, 1)))
            phases.append(("(b′) 同上，--include-passed --self-contained（全部结果、每行完整）", run_phase("cli-jsonl-all", path, 1)))
            if jobs > 1:
                phases.append((f"(b′) 命令行端到端 check --format jsonl（{jobs} 进程）", run_phase("cli-jsonl", path, jobs)))
            if available() and not args.no_durable:
                phases.append(("(c) 完整检查流水线（durable 引擎，1 进程）", run_phase("durable", path, 1)))
            for label, r in phases:
                rate = r["units"] / r["seconds"]
                rows.append([size, label, r["units"], r["errors"], f"{r['seconds']:.2f}", f"{rate:,.0f}",
                             f"{r['seconds'] / floor['seconds']:.2f}×", f"{r['rss_mb']:.0f}"])
    from tabulate import tabulate

    print(tabulate(rows, headers=["规模", "阶段", "单位数", "错误", "秒", "单位/秒", "相对底线", "峰值内存 MB (d)"],
                   tablefmt="github", disable_numparse=True))
    print(f"\nCPU 核数 {os.cpu_count()}；检查日期 {AS_OF}；每个阶段单独进程，峰值内存为该进程 ru_maxrss"
          "（取该进程与其最大子进程——多进程的工作进程、durable_rules 工作进程——中较大者）。")


if __name__ == "__main__":
    main()
