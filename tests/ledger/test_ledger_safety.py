"""Real processes against one ledger: no lost updates, and a killed sync leaves it as before."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from test_ledger_helpers import compliance_process, db, finding, run, subprocess_env, write_results  # noqa: F401

from compliance.ledger.models import History, Item
from compliance.ledger.store import Ledger

UPDATER = """
import sys, time
from pathlib import Path
from compliance.cli import main
db, tag, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
while not go.exists():
    time.sleep(0.005)
for i in range(count):
    main(["ledger", "update", "U1/B2", "--add-evidence", f"{tag}-{i}", "--by", tag, "--db", db], standalone_mode=False)
"""

# ``compliance ledger sync`` that stops halfway: the per-unit step of sync is wrapped so that, before unit
# number ``after``, the units done so far are flushed into the open transaction, ``marker`` is written and
# the process sleeps (the test then kills it).
PAUSED_SYNC = """
import sys, time
from pathlib import Path
import compliance.ledger.sync as ledger_sync
from compliance.cli import main
marker, after, args = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
sync_unit, done = ledger_sync._sync_unit, []
def paused_sync_unit(session, *rest, **kwargs):
    if len(done) == after:
        session.flush()
        marker.write_text("paused", encoding="utf-8")
        time.sleep(600)
    done.append(1)
    return sync_unit(session, *rest, **kwargs)
ledger_sync._sync_unit = paused_sync_unit
main(args)
"""


def snapshot(db: str) -> tuple[int, Counter, int]:
    with Ledger(db) as store, store.read() as session:
        items = list(session.scalars(select(Item)))
        history = len(list(session.scalars(select(History.id))))
    return len(items), Counter(i.status for i in items), history


def wait_for(path: Path, process: subprocess.Popen, limit: float = 120) -> None:
    """Block until ``path`` appears (the process reached its pause point)."""
    end = time.monotonic() + limit
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"进程提前退出：{process.stderr.read() if process.stderr else ''}")
        if time.monotonic() > end:
            process.kill()
            raise AssertionError("进程未到达暂停点")
        time.sleep(0.02)


def test_two_processes_updating_the_same_item_lose_no_update(runner, db, tmp_path):
    run(runner, "ledger", "sync", write_results(tmp_path / "r.json", "2025-11-20", [finding("U1", "B2")]), "--db", db)
    go = tmp_path / "go"
    count = 12
    workers = [subprocess.Popen([sys.executable, "-c", UPDATER, db, tag, str(count), str(go)], env=subprocess_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in ("甲", "乙")]
    go.touch()
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    with Ledger(db) as store, store.read() as session:
        item = session.scalars(select(Item)).one()
        evidence = item.evidence.split("\n")
        changes = [h for h in item.history if h.field == "evidence"]
    assert sorted(evidence) == sorted(f"{tag}-{i}" for tag in ("甲", "乙") for i in range(count))
    assert len(changes) == 2 * count and item.version == 1 + 2 * count


def test_four_processes_syncing_into_a_new_ledger_create_each_item_once(db, tmp_path):
    shared = [finding("S", f"R{r}") for r in range(5)]
    docs = [write_results(tmp_path / f"{side}.json", "2025-11-20",
                          [finding(f"{side}{u}", f"R{r}") for u in range(30) for r in range(5)] + shared)
            for side in "ABCD"]
    workers = [compliance_process("ledger", "sync", doc, "--db", db) for doc in docs]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    items, statuses, history = snapshot(db)
    assert items == 4 * 30 * 5 + 5 and statuses == Counter({"新增": items})
    assert history == items, "every item has exactly one creation record"


def test_a_sync_killed_midway_leaves_the_ledger_as_before_and_a_rerun_completes_it(runner, db, tmp_path):
    units = [f"U{u:03d}" for u in range(60)]
    first = write_results(tmp_path / "a.json", "2025-11-20", [finding(u, f"R{r}") for u in units for r in range(5)])
    assert run(runner, "ledger", "sync", first, "--db", db).exit_code == 0
    before = snapshot(db)
    fixed_and_new = write_results(tmp_path / "b.json", "2025-12-20",
                                  [finding(u, f"R{r}", state="pass") for u in units for r in range(5)]
                                  + [finding(f"N{u:03d}", f"R{r}") for u in range(60) for r in range(5)])
    marker = tmp_path / "paused"
    halfway = str(len(units))  # 120 units: the 60 already in the ledger are synced, the 60 new ones are not
    process = subprocess.Popen([sys.executable, "-c", PAUSED_SYNC, str(marker), halfway, "ledger", "sync", fixed_and_new,
                                "--db", db], env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        wait_for(marker, process)
        if not db.endswith(".sqlite"):
            assert snapshot(db) == before, "readers see the last committed state while a sync is under way"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert snapshot(db) == before
    assert run(runner, "ledger", "sync", fixed_and_new, "--db", db).exit_code == 0
    items, statuses, history = snapshot(db)
    assert items == 600 and statuses == Counter({"已整改待验收": 300, "新增": 300})
    assert history == before[2] + 600
