"""Instructions per unit, counted by valgrind (callgrind): the same on every run, unlike time on a shared box.

    python bench/instructions.py                          # every workload on 300 units: about 12 minutes
    python bench/instructions.py --only floor pipeline    # some of them

Each workload runs twice under callgrind on the same synthetic units, once with no pass over them and once with
two; the difference divided by the units checked is its count per unit, set-up and start-up cancelled out.
Instructions are not time (the interpreter's closures run fewer instructions per nanosecond than pydantic-core),
so this complements ``bench.py``: it tells whether a change does less work, exactly, where timings on a shared
machine vary by 15–30 %.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench import AS_OF, default_pack, generate

WORKLOADS = {
    "floor": "底线：json.loads + model_validate",
    "pipeline": "完整检查（解析、校验、质量、派生、求值、默认 JSONL 渲染），1 进程",
    "parse": "其中：解析 JSON（含重复键检查）",
    "validate": "其中：档案校验",
    "quality": "其中：数据质量检查",
    "derive": "其中：派生事实",
    "check_unit": "其中：规则求值 + 构造 Finding（符合、不适用只计数，同默认输出）",
    "evaluate": "其中：仅规则求值（decisions，含于上一行）",
    "render": "其中：JSONL 渲染（默认输出）",
    "check_all": "规则求值 + 构造全部 Finding（含符合、不适用）",
    "rules10": "引擎求值 10 条参照规则",
    "hand10": "手写 Python 的同 10 条规则",
}
PASSES = 2
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def workload(name: str, path: str, passes: int) -> None:
    """Set up ``name`` on the units of ``path``, then run it ``passes`` times over them (what is counted). The set-up
    is the same for every workload and takes every unit through the whole pipeline, so nothing built lazily
    (native validators, caches) is counted."""
    import os

    from compliance.engine.evaluate import check_unit, decisions
    from compliance.engine.pack import finish_findings
    from compliance.output.jsonl import JsonlWriter
    from compliance.pipeline.run import Outcome, check_stream, parse_line, validate_profile
    from compliance.inputs.records import iter_records
    from reference import RULE_IDS, hand_states

    pack = default_pack()
    domain, params = pack.domain, pack.params
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    model = domain.profile_model
    data = [parse_line(line, path) for line in lines]
    profiles = [validate_profile(unit, domain, path) for unit in data]
    for profile in profiles:
        domain.assess(profile, AS_OF, path, None)
    refit = pack.for_check(AS_OF)
    facts = [domain.derive(profile, AS_OF, refit) for profile in profiles]
    sink = open(os.devnull, "w", encoding="utf-8")
    writer = JsonlWriter(sink, pack, AS_OF)
    outcomes = []
    for unit in facts:
        settled: Counter = Counter()
        found = finish_findings(pack, check_unit(pack, unit, AS_OF, path, settled), AS_OF)
        outcomes.append(Outcome(path, None, *domain.identity(unit), found, settled=settled))
    ten = [pack.rule(r) for r in RULE_IDS]
    for _ in range(passes):
        if name == "floor":
            for line in lines:
                model.model_validate(json.loads(line))
        elif name == "pipeline":
            for outcome in check_stream(pack, iter_records([path], []), AS_OF, 1, render=writer.render, settled=False):
                writer.add(outcome)
        elif name == "parse":
            for line in lines:
                parse_line(line, path)
        elif name == "validate":
            for unit in data:
                validate_profile(unit, domain, path)
        elif name == "quality":
            for profile in profiles:
                domain.assess(profile, AS_OF, path, None)
        elif name == "derive":
            for profile in profiles:
                domain.derive(profile, AS_OF, refit)
        elif name == "render":
            for outcome in outcomes:
                writer.render(outcome)
        elif name in ("check_unit", "check_all"):
            for unit in facts:
                finish_findings(pack, check_unit(pack, unit, AS_OF, path, Counter() if name == "check_unit" else None),
                                AS_OF)
        elif name == "evaluate":
            for unit in facts:
                for _ in decisions(pack.rules, unit, params, AS_OF):
                    pass
        elif name == "rules10":
            for unit in facts:
                for _ in decisions(ten, unit, params, AS_OF):
                    pass
        elif name == "hand10":
            for unit in facts:
                hand_states(unit, params)
        else:
            raise ValueError(name)
    sink.close()


def count(name: str, path: Path, passes: int) -> int:
    """Instructions of one run of ``name`` under callgrind."""
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                          __file__, "--run", name, str(path), str(passes)], capture_output=True, text=True)
    found = _REFS.search(out.stderr)
    if out.returncode or not found:
        raise SystemExit(f"{name}: valgrind 运行失败\n{out.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description="每单位指令数（valgrind callgrind 计数，与时间不同，每次相同）")
    parser.add_argument("--units", type=int, default=300, help="合成单位数（默认 300）")
    parser.add_argument("--only", nargs="+", choices=WORKLOADS, metavar="工作",
                        help=f"只测这几项（底线总会测）：{'、'.join(WORKLOADS)}")
    parser.add_argument("--run", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        name, path, passes = args.run
        workload(name, path, int(passes))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("需要 valgrind：sudo apt-get install valgrind")
    from tabulate import tabulate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "units.jsonl"
        generate(path, args.units)
        chosen = [name for name in WORKLOADS if not args.only or name in args.only or name == "floor"]
        per_unit = {name: (count(name, path, PASSES) - count(name, path, 0)) / (PASSES * args.units)
                    for name in chosen}
    floor = per_unit["floor"]
    rows = [[WORKLOADS[name], f"{n / 1000:,.0f}", f"{n / floor:.2f}×"] for name, n in per_unit.items()]
    print(tabulate(rows, headers=["工作", "千条指令/单位", "相对底线"], tablefmt="github", disable_numparse=True))
    ratio = (f"引擎与手写 10 条参照规则之比 {per_unit['rules10'] / per_unit['hand10']:.2f}×。"
             if "rules10" in per_unit and "hand10" in per_unit else "")
    print(f"\n{args.units}个单位；每项在 callgrind 下运行两次（0 遍与{PASSES}遍），取差值。{ratio}")


if __name__ == "__main__":
    main()
