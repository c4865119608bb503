"""Every command survives hostile inputs in bounded time and memory: profiles drawn by hypothesis from the
profile schema, and random byte mutations of the fixtures (YAML, JSON, JSON Lines) and of XLSX workbooks
(information form, returned ledger), each run in a subprocess. A traceback, a run over 10 CPU seconds for
an input of at most 1 MB, a time-out or a peak RSS over 500 MB fails the test.

The default run is small (about two minutes); ``COMPLIANCE_FUZZ_INPUTS=1000`` runs a large corpus and
writes its table to ``COMPLIANCE_FUZZ_REPORT`` (default: standard output with ``-s``); ``COMPLIANCE_FUZZ_BATCH=8``
checks several profiles per process there, and ``COMPLIANCE_FUZZ_LOG`` keeps every run (``python
tests/fuzz/harness.py LOG`` prints the table again).
"""

from __future__ import annotations

import os
import random
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from fuzz.harness import (AS_OF, FIXTURES, Case, Run, byte_cases, drawn_cases, profile_file, profile_strategy, run_case, run_cli,
                          table, xlsx_cases, xlsx_seeds)

pytestmark = pytest.mark.slow

LARGE = int(os.environ.get("COMPLIANCE_FUZZ_INPUTS", "0"))
BATCH = int(os.environ.get("COMPLIANCE_FUZZ_BATCH", "1"))
"""Profiles per process in a large run (each process then checks up to this many inputs within the limits)."""
SEED = int(os.environ.get("COMPLIANCE_FUZZ_SEED", "20251120"))


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> tuple[dict[str, bytes], Path]:
    work = tmp_path_factory.mktemp("seeds")
    found = xlsx_seeds(work)
    assert set(found) == {"form.xlsx", "ledger.xlsx"}
    return found, work / "seed.sqlite"


def failures(runs: list[Run]) -> str:
    return "\n".join(r.describe() for r in runs if r.failed)


def run_all(cases: list[Case], root: Path, seed_db: Path, workers: int, batch: int = 1) -> list[Run]:
    """Each case on its own; with ``batch`` > 1, profiles of one category several to a process (workbooks alone)."""
    groups: list[list[Case]] = []
    for case in sorted(cases, key=lambda c: c.category) if batch > 1 else cases:
        last = groups[-1] if groups else None
        if (batch > 1 and last and len(last) < batch and last[0].category == case.category
                and not case.name.endswith(".xlsx")):
            last.append(case)
        else:
            groups.append([case])

    def one(item: tuple[int, list[Case]]) -> list[Run]:
        index, group = item
        return run_case(group[0], root / f"c{index}", index, seed_db, group if len(group) > 1 else None)

    with ThreadPoolExecutor(workers) as pool:
        return [run for runs in pool.map(one, enumerate(groups)) for run in runs]


def test_byte_mutations_of_profiles_and_workbooks_never_crash_nor_exceed_limits(seeds, tmp_path):
    workbooks, seed_db = seeds
    count = LARGE or 4
    cases = list(byte_cases(count, SEED)) + list(xlsx_cases(max(3, count // 8), SEED, workbooks))
    if LARGE:
        cases += list(drawn_cases(LARGE // 4, SEED))
    runs = run_all(cases, tmp_path, seed_db, workers=(os.cpu_count() or 2) if LARGE else 2, batch=BATCH)
    assert not failures(runs), failures(runs)
    assert {r.command for r in runs} >= {"check (all formats)", "report", "ledger sync", "import",
                                         "ledger import --dry-run"}
    if LARGE:
        inputs: dict[str, int] = {}
        for case in cases:
            inputs[case.category] = inputs.get(case.category, 0) + 1
        text = table(runs, inputs)
        target = os.environ.get("COMPLIANCE_FUZZ_REPORT")
        if target:
            Path(target).write_text(text + "\n", encoding="utf-8")
        print(text)


@settings(max_examples=3, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(profile=profile_strategy())
def test_profiles_drawn_from_the_schema_never_crash_any_command(profile, tmp_path_factory):
    rng = random.Random(repr(profile)[:200])
    name, data = profile_file(profile, rng)
    work = tmp_path_factory.mktemp("drawn")
    runs = run_case(Case("按档案结构生成（hypothesis）", name, data), work, rng.randrange(6), None)
    assert not failures(runs), failures(runs)


def test_the_harness_catches_a_traceback_and_measures_the_run(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_cli(["check", str(FIXTURES / "01-shi-caizhengju.yaml"), "--as-of", AS_OF], tmp_path, "self", "check")
    assert run.code == 0 and not run.failed and 0 < run.cpu < 10 and 20 < run.rss_mb < 500
    broken = run_cli(["check", "--pack", str(tmp_path)], tmp_path, "self", "usage")
    assert broken.code in (2, 3) and not broken.traceback
