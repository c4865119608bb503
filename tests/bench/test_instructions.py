"""bench/instructions.py: every workload it counts runs, on the benchmark's own synthetic units (valgrind is not
needed for that; it only counts)."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import instructions  # noqa: E402 - a script beside the benchmark, not a package
from bench import generate  # noqa: E402


@pytest.fixture(scope="module")
def units(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "units.jsonl"
    generate(path, 5)
    return path


@pytest.mark.parametrize("name", list(instructions.WORKLOADS))
def test_every_workload_runs_once_and_not_at_all(units, name):
    instructions.workload(name, str(units), 1)
    instructions.workload(name, str(units), 0)


def test_an_unknown_workload_is_refused(units):
    with pytest.raises(ValueError):
        instructions.workload("nothing", str(units), 1)
