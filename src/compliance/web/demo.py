"""``compliance serve --demo``: the shipped fixtures as units with profiles and ledger items, and demo accounts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from compliance.engine.pack import Pack
from compliance.inputs.paths import expand_paths
from compliance.ledger.accounts import ADMIN, INSPECTOR, UNIT, add_account, ensure_unit, get_account
from compliance.ledger.models import utcnow
from compliance.ledger.store import Ledger
from compliance.pipeline.run import load_profile
from compliance.web import adapter
from compliance.web.security import hash_password

DEMO_PASSWORD = "demo-2025"
"""The password of every demo account (printed on start; a demo ledger is for trying the pages only)."""


def fixtures_dir() -> Path | None:
    """The repository's ``fixtures/`` (a source checkout or editable install), else ``fixtures/`` in the current folder."""
    for candidate in (Path(__file__).resolve().parents[3] / "fixtures", Path.cwd() / "fixtures"):
        if candidate.is_dir():
            return candidate
    return None


def load_demo(ledger: Ledger, pack: Pack, folder: Path, as_of: dt.date) -> list[tuple[str, str, str]]:
    """Load every profile of ``folder`` (checked and synced) and create demo accounts; returns (account, role, unit)."""
    files, _ = expand_paths([str(folder)])
    accounts: list[tuple[str, str, str]] = []
    digest = hash_password(DEMO_PASSWORD)
    with ledger.write() as session:
        for path in files:
            profile = load_profile(path, pack.domain)
            unit = ensure_unit(session, str(profile.unit.id), str(profile.unit.name))
            unit.profile, unit.profile_at, unit.profile_by = adapter.profile_text(profile), utcnow(), "演示数据"
            findings = adapter.check(pack, profile, as_of, path.name)
            session.flush()
            adapter.record_check(session, pack, unit, findings, as_of, "演示数据", path.name)
            name = unit.id.lower()
            if get_account(session, name) is None:
                add_account(session, name, digest, UNIT, unit.id)
                accounts.append((name, "单位", unit.name))
        for name, role, label in (("ducha", INSPECTOR, "督查"), ("admin", ADMIN, "管理员")):
            if get_account(session, name) is None:
                add_account(session, name, digest, role)
                accounts.append((name, label, ""))
    return accounts
