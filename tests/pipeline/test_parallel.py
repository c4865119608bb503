"""``--jobs N``: worker processes, results in input order, one bad record or dead worker stops nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

from compliance.cli import main
from compliance.pipeline.parallel import batched, ordered_map

from conftest import AS_OF, fixture_profiles


def square_all(batch: list[int]) -> list[int]:
    return [n * n for n in batch]


def test_results_come_back_in_input_order() -> None:
    results = list(ordered_map(square_all, batched(range(500), 7), jobs=3, on_crash=lambda b, e: []))
    assert results == [n * n for n in range(500)]


def test_a_batch_that_kills_its_worker_twice_becomes_errors_and_the_rest_go_on() -> None:
    def die_on_13(batch: list[int]) -> list[object]:
        if 13 in batch:
            os._exit(9)
        return batch

    crashed = []

    def on_crash(batch, exc):
        crashed.append(batch)
        return [f"error {n}" for n in batch]

    results = list(ordered_map(die_on_13, batched(range(40), 5), jobs=2, on_crash=on_crash))
    assert crashed == [[10, 11, 12, 13, 14]]
    assert results == [*range(10), *(f"error {n}" for n in range(10, 15)), *range(15, 40)]


def test_jobs_give_the_same_output_as_one_process_on_a_large_jsonl(runner, tmp_path: Path) -> None:
    lines = [p.model_dump_json(exclude_none=True) for p in fixture_profiles()]
    units = []
    for i in range(150):
        data = json.loads(lines[i % len(lines)])
        data["unit"]["id"] = f"U-{i}"
        units.append(json.dumps(data, ensure_ascii=False) if i != 77 else "{broken")
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(units) + "\n", encoding="utf-8")
    for fmt in ("csv", "table", "json"):
        args = ["check", str(path), "--as-of", AS_OF.isoformat(), "--format", fmt]
        one = runner.invoke(main, args + ["--jobs", "1"])
        three = runner.invoke(main, args + ["--jobs", "3"])
        assert three.stdout == one.stdout, fmt
        assert three.exit_code == one.exit_code == 2
        assert f"{path}:78:2: JSON 格式错误" in three.stderr
        assert ("共检查149个单位" if fmt == "table" else "U-149") in three.stdout


def test_a_batch_whose_results_cannot_come_back_becomes_errors_only_for_that_batch() -> None:
    def unpicklable_on_3(batch: list[int]) -> list[object]:
        return [(lambda: n) if n == 3 else n for n in batch]

    results = list(ordered_map(unpicklable_on_3, batched(range(8), 2), jobs=2,
                               on_crash=lambda batch, exc: [f"error {n}" for n in batch]))
    assert results == [0, 1, "error 2", "error 3", 4, 5, 6, 7]
