"""Benchmark: web list pages on a ledger of 1,000 units × 20 items (not a timed test; prints a table).

    python bench/web_pages.py                       # SQLite in a temp folder
    python bench/web_pages.py --units 1000 --items 20 --rounds 20
    python bench/web_pages.py --db postgresql://…   # an empty PostgreSQL database

Pages are fetched in process with Starlette's TestClient (no network), logged in as the inspector and
as one unit. The floor is the login page (a template, no ledger query) measured in the same run; each
page is reported as median and 95th percentile milliseconds and as a ratio to the floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2025, 11, 20)
STATUSES = ["新增"] * 5 + ["整改中"] * 3 + ["已整改待验收", "已销号"]


def fill(db: str, units: int, per_unit: int) -> None:
    from sqlalchemy import insert

    from compliance.ledger.accounts import INSPECTOR, UNIT, Unit, add_account
    from compliance.ledger.models import Item
    from compliance.ledger.store import Ledger
    from compliance.web.security import hash_password

    rng = random.Random(7)
    digest = hash_password("bench-password")
    with Ledger(db, create=True) as ledger, ledger.write() as session:
        session.execute(insert(Unit), [{"id": f"U{u:04d}", "name": f"测试单位{u:04d}", "profile_by": "",
                                        "fail_count": per_unit, "serious_count": 0,
                                        "unknown_count": rng.randrange(30), "advisory_count": 1} for u in range(units)])
        rows = []
        for u in range(units):
            for r in range(per_unit):
                status = rng.choice(STATUSES)
                rows.append({
                    "unit_id": f"U{u:04d}", "unit_name": f"测试单位{u:04d}", "rule_id": f"R{r:02d}", "subject": "",
                    "category": "组织建设", "rule_title": f"第{r + 1}项要求", "severity": rng.choice(["严重", "一般", "一般", "提示"]),
                    "description": "测试单位未按要求开展工作（要求每年至少1次）", "basis": "按照工作要求",
                    "measure": "按要求整改并留存记录", "owner_role": "党组织书记", "leader": "", "department": "",
                    "person": "", "deadline": AS_OF + dt.timedelta(days=rng.randrange(-60, 90)), "progress": "",
                    "evidence": "", "remarks": "", "status": status, "found_on": AS_OF - dt.timedelta(days=30),
                    "closed_on": AS_OF if status == "已销号" else None, "rebound_count": 0,
                    "last_result": "fail", "last_checked": AS_OF, "last_message": "未开展", "version": 1})
        for start in range(0, len(rows), 5000):
            session.execute(insert(Item), rows[start:start + 5000])
        add_account(session, "ducha", digest, INSPECTOR)
        add_account(session, "unit", digest, UNIT, "U0500")


def timed(client, url: str, rounds: int) -> list[float]:
    client.get(url)  # warm up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def login(client, name: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post("/login", data={"name": name, "password": "bench-password", "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--db", help="ledger URL or file (default: a new SQLite file in a temp folder)")
    args = parser.parse_args()
    from starlette.testclient import TestClient

    from compliance.engine.tailoring import load_effective
    from compliance.ledger.store import Ledger
    from compliance.web.app import Settings, create_app

    db = args.db or str(Path(tempfile.mkdtemp(prefix="compliance-bench-")) / "ledger.sqlite")
    start = time.perf_counter()
    fill(db, args.units, args.items)
    print(f"台账：{args.units}个单位 × {args.items}项 = {args.units * args.items}项，建立用时 {time.perf_counter() - start:.1f} 秒")
    ledger = Ledger(db)
    app = create_app(Settings(ledger, load_effective(None, (), default="dangjian"), as_of=AS_OF))
    inspector, unit = TestClient(app), TestClient(app)
    login(inspector, "ducha")
    login(unit, "unit")
    floor = statistics.median(timed(TestClient(app), "/login", args.rounds))
    pages = [
        ("督查工作台 /inspect", inspector, "/inspect"),
        ("督查工作台 第20页", inspector, "/inspect?page=20"),
        ("台账事项 第1页", inspector, "/inspect/items"),
        ("台账事项 第200页", inspector, "/inspect/items?page=200"),
        ("台账事项 整改中", inspector, "/inspect/items?status=整改中"),
        ("台账事项 逾期", inspector, "/inspect/items?overdue=1"),
        ("台账事项 严重", inspector, "/inspect/items?severity=严重"),
        ("台账事项 按单位", inspector, "/inspect/items?unit=U0500"),
        ("事项详情 /items/N", inspector, f"/items/{args.units * args.items // 2}"),
        ("单位首页 /unit", unit, "/unit"),
    ]
    print(f"基准（登录页，不查台账）：中位数 {floor:.1f} 毫秒")
    print(f"{'页面':<22}{'中位数ms':>10}{'P95 ms':>10}{'与基准之比':>12}")
    for label, client, url in pages:
        times = sorted(timed(client, url, args.rounds))
        median, p95 = statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]
        print(f"{label:<22}{median:>10.1f}{p95:>10.1f}{median / floor:>12.1f}")
    ledger.close()
    return None


if __name__ == "__main__":
    sys.exit(main())
