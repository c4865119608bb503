"""Pages of the inspector (督查): dashboard, item lists, batch check and the report package."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, not_, select, union
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from compliance.inputs.loader import InputError
from compliance.ledger.accounts import Unit
from compliance.ledger.models import Item
from compliance.ledger.vocabulary import DONE, NOT_OVERDUE, STATUSES
from compliance.web import adapter
from compliance.web.app import INSPECT, Who, download, flash, form_page, render, require, settings

PAGE = 50
ITEMS_PAGE = 100


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, min(int(raw), 100000)) if raw.isdigit() else 1


def _overdue(day: Any) -> Any:
    """SQL condition of an overdue item (the same rule as :meth:`Item.overdue_days`)."""
    return and_(Item.deadline.is_not(None), Item.deadline < day, not_(Item.status.in_(NOT_OVERDUE)))


def dashboard(request: Request) -> Response:
    who = require(request, *INSPECT)
    day = settings(request).today()
    page = _page(request)
    with settings(request).ledger.read() as session:
        totals: dict[str, int] = {}
        overdue_total = serious_total = 0
        for status, n, late, serious in session.execute(select(
                Item.status, func.count(), func.sum(case((_overdue(day), 1), else_=0)),
                func.sum(case((Item.severity == "严重", 1), else_=0))).group_by(Item.status)):
            totals[status] = n
            overdue_total += late or 0
            serious_total += (serious or 0) if status not in NOT_OVERDUE else 0
        known = union(select(Item.unit_id.label("id")), select(Unit.id.label("id"))).subquery()
        unit_count = session.scalar(select(func.count()).select_from(known)) or 0
        units = list(session.scalars(select(known.c.id).order_by(known.c.id).offset((page - 1) * PAGE).limit(PAGE)))
        rows: dict[str, dict[str, Any]] = {u: {"id": u, "name": u, "overdue": 0, **{s: 0 for s in STATUSES}} for u in units}
        for unit_id, name in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(units))):
            rows[unit_id]["name"] = name
        for unit_id, name, status, n in session.execute(
                select(Item.unit_id, Item.unit_name, Item.status, func.count()).where(Item.unit_id.in_(units))
                .group_by(Item.unit_id, Item.unit_name, Item.status)):
            rows[unit_id]["name"] = name
            rows[unit_id][status] += n
        for unit_id, n in session.execute(select(Item.unit_id, func.count()).where(Item.unit_id.in_(units), _overdue(day))
                                          .group_by(Item.unit_id)):
            rows[unit_id]["overdue"] = n
        overdue = list(session.scalars(select(Item).where(_overdue(day)).order_by(Item.deadline, Item.id).limit(20)))
        serious = list(session.scalars(select(Item).where(Item.severity == "严重", not_(Item.status.in_(NOT_OVERDUE)))
                                       .order_by(Item.unit_id, Item.id).limit(20)))
        unknowns = list(session.scalars(select(Unit).where(Unit.unknown_count > 0)
                                        .order_by(Unit.unknown_count.desc(), Unit.id).limit(10)))
        waiting = totals.get(DONE, 0)
    return render(request, "dashboard.html", who=who, totals={s: totals.get(s, 0) for s in STATUSES},
                  overdue_total=overdue_total, serious_total=serious_total, unit_rows=[rows[u] for u in units],
                  overdue=overdue, serious=serious, unknowns=unknowns, waiting=waiting, statuses=STATUSES,
                  page=page, pages=max(1, -(-unit_count // PAGE)))


def items(request: Request) -> Response:
    """Every item, filtered by unit, status, overdue and severity; a page at a time."""
    who = require(request, *INSPECT)
    day = settings(request).today()
    q = request.query_params
    unit, status, severity, overdue = q.get("unit", "").strip(), q.get("status", ""), q.get("severity", ""), q.get("overdue")
    page = _page(request)
    query = select(Item)
    if unit:
        query = query.where((Item.unit_id == unit) | Item.unit_name.contains(unit))
    if status in STATUSES:
        query = query.where(Item.status == status)
    if severity:
        query = query.where(Item.severity == severity)
    if overdue:
        query = query.where(_overdue(day))
    with settings(request).ledger.read() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        found = list(session.scalars(query.order_by(Item.unit_id, Item.id).offset((page - 1) * ITEMS_PAGE)
                                     .limit(ITEMS_PAGE)))
    return render(request, "items.html", who=who, items=found, total=total, page=page,
                  pages=max(1, -(-total // ITEMS_PAGE)), unit=unit, status=status, severity=severity,
                  overdue=bool(overdue), statuses=STATUSES)


def _checked_units(request: Request) -> tuple[list, list[str]]:
    """(unit, profile, findings) of every unit with a stored profile; units whose profile fails are named."""
    config = settings(request)
    with config.ledger.read() as session:
        units = list(session.scalars(select(Unit).where(Unit.profile.is_not(None)).order_by(Unit.id)))
    checked, bad = [], []
    for unit in units:
        try:
            profile = adapter.load_stored(config.pack.domain, unit)
        except InputError:
            bad.append(unit.name)
            continue
        if profile is not None:
            checked.append((unit, profile, adapter.check(config.pack, profile, config.today(), unit.id)))
    return checked, bad


@form_page(*INSPECT)
def batch_check(request: Request, who: Who, form: FormData) -> Response:
    """Check every unit's last profile again and reconcile the ledger (as ``ledger sync``)."""
    config = settings(request)
    checked, bad = _checked_units(request)
    with config.ledger.write() as session:
        for unit, _, findings in checked:
            adapter.record_check(session, config.pack, session.merge(unit), findings, config.today(), who.label, unit.id)
    flash(request, f"已重新检查{len(checked)}个单位并同步整改台账" + (f"；以下单位档案有误未检查：{'、'.join(bad)}" if bad else ""))
    return RedirectResponse("/inspect", 303)


def package(request: Request) -> Response:
    """督查报告, 问题清单, 检查提纲, 整改通知书 of every unit's last profile, as one zip."""
    require(request, *INSPECT)
    config = settings(request)
    checked, _ = _checked_units(request)
    if not checked:
        flash(request, "还没有单位上传信息采集表，无法生成督查材料", "error")
        return RedirectResponse("/inspect", 303)
    views = [adapter.unit_view(config.pack, unit, profile, findings) for unit, profile, findings in checked]
    data = adapter.report_package(config.pack, views, config.today())
    return download(data, f"督查材料_{config.today().isoformat()}.zip", "application/zip")


ROUTES = [
    Route("/inspect", dashboard),
    Route("/inspect/items", items),
    Route("/inspect/check", batch_check, methods=["POST"]),
    Route("/inspect/package.zip", package),
]
