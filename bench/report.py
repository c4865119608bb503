"""Benchmark ``compliance report``: N synthetic units, all documents, against ``compliance check`` as the floor.

    python bench/report.py                    # 1,000 units, --jobs 1 and 2
    python bench/report.py --units 200 --jobs 1 2 4

Each phase runs in its own wrapper subprocess, which reports the wall time and the peak RSS (ru_maxrss) of the
largest process it waited for (with --jobs N, that is one process; N workers each hold about as much).
The figures depend on the machine and its load: compare the ratios to the floor measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import AS_OF, synthetic_profile  # noqa: E402

WRAPPER = ("import json, resource, subprocess, sys, time\n"
           "t = time.perf_counter()\n"
           "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
           "print(json.dumps({'seconds': time.perf_counter() - t, 'code': code,\n"
           "                  'rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n")


def write_units(folder: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    for i in range(count):
        (folder / f"u{i:05d}.json").write_text(json.dumps(synthetic_profile(rng, i), ensure_ascii=False), encoding="utf-8")


def measure(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    options = parser.parse_args()
    exe = str(Path(sys.executable).with_name("compliance"))
    with tempfile.TemporaryDirectory() as tmp:
        units = Path(tmp) / "units"
        units.mkdir()
        write_units(units, options.units)
        as_of = ["--as-of", AS_OF.isoformat()]
        floor = measure([exe, "check", str(units), "--format", "json", "-o", str(Path(tmp) / "check.json"), *as_of])
        rows = [("check（下限）", floor)]
        for jobs in options.jobs:
            out = Path(tmp) / f"report-{jobs}"
            rows.append((f"report --jobs {jobs}", measure([exe, "report", str(units), "-o", str(out), "--jobs", str(jobs),
                                                          *as_of])))
        files = sum(1 for p in (Path(tmp) / f"report-{options.jobs[0]}").rglob("*") if p.is_file())
    print(f"{options.units} units, all documents ({files} files); wall time, units/s, peak RSS of one process")
    for name, r in rows:
        rate = options.units / r["seconds"]
        print(f"  {name:<18} {r['seconds']:7.1f} s  {rate:8.1f} units/s  {r['rss_mb']:6.0f} MB  "
              f"×{r['seconds'] / floor['seconds']:.1f} of check  exit {r['code']}")


if __name__ == "__main__":
    main()
