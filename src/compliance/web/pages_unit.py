"""Pages of a unit account: its form, upload, 问题清单, 自查报告, 整改台账 — and the item page every role uses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from compliance.inputs.loader import InputError
from compliance.ledger.accounts import UNIT, Unit
from compliance.ledger.errors import LedgerError
from compliance.ledger.models import Item, utcnow
from compliance.ledger.vocabulary import DONE, UNIT_STATUSES, WORKING
from compliance.output.files import safe_name
from compliance.web import adapter
from compliance.web.app import DOCX, INSPECT, XLSX, Who, download, flash, form_page, render, require, settings


def _unit(session: Any, who: Who) -> Unit:
    unit = session.get(Unit, who.unit_id)
    if unit is None:
        raise HTTPException(404, "账号绑定的单位不存在，请联系管理员")
    return unit


def unit_items(session: Any, unit_id: str) -> list[Item]:
    """The unit's ledger items — every unit query is scoped by ``unit_id`` alone."""
    return list(session.scalars(select(Item).where(Item.unit_id == unit_id).order_by(Item.id)))


def _results(request: Request, unit: Unit) -> tuple[Any, list]:
    """The unit's last profile, checked as of today (no profile: nothing to show)."""
    config = settings(request)
    try:
        profile = adapter.load_stored(config.pack.domain, unit)
    except InputError:
        return None, []
    if profile is None:
        return None, []
    return profile, adapter.check(config.pack, profile, config.today(), "网页上传")


def unit_home(request: Request, upload: adapter.Upload | None = None, filename: str = "") -> Response:
    who = require(request, UNIT)
    with settings(request).ledger.read() as session:
        unit = _unit(session, who)
        items = unit_items(session, unit.id)
    profile, findings = _results(request, unit)
    by_key = {(i.rule_id, i.subject): i for i in items}
    status = 400 if upload is not None and upload.problems else 200
    return render(request, "unit.html", status, who=who, unit=unit, has_profile=profile is not None,
                  fails=[f for f in findings if f.state == "fail"], unknowns=[f for f in findings if f.state == "unknown"],
                  reminders=[f for f in findings if f.state == "advisory"], items=items, by_key=by_key,
                  upload=upload, filename=filename)


def form_xlsx(request: Request) -> Response:
    who = require(request, UNIT)
    config = settings(request)
    with config.ledger.read() as session:
        unit = _unit(session, who)
    profile, _ = _results(request, unit)
    data = adapter.form_bytes(config.pack.domain, unit.name, profile)
    return download(data, f"信息采集表_{safe_name(unit.name)}.xlsx", XLSX)


@form_page(UNIT)
def upload(request: Request, who: Who, form: FormData) -> Response:
    config = settings(request)
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        flash(request, "请先选择要上传的信息采集表（.xlsx）或单位档案（.yaml）", "error")
        return RedirectResponse("/unit", 303)
    data = file.file.read(adapter.MAX_UPLOAD + 1)
    result = adapter.read_upload(config.pack.domain, file.filename, data, config.today())
    if result.profile is None:
        return unit_home(request, result, file.filename)
    if str(result.profile.unit.id) != who.unit_id:
        result.problems.append(adapter.Problem(file.filename, f"档案中的单位编号「{result.profile.unit.id}」与您的单位"
                                                              f"「{who.unit_id}」不一致，请使用本单位的信息采集表"))
        return unit_home(request, adapter.Upload(None, result.problems, []), file.filename)
    findings = adapter.check(config.pack, result.profile, config.today(), file.filename)
    with config.ledger.write() as session:
        unit = _unit(session, who)
        unit.profile, unit.profile_at, unit.profile_by = adapter.profile_text(result.profile), utcnow(), who.label
        line = adapter.record_check(session, config.pack, unit, findings, config.today(), who.label, file.filename)
    flash(request, f"已上传并检查：不符合{unit.fail_count}项，待核实{unit.unknown_count}项，提醒{unit.advisory_count}项。{line}")
    for w in result.notes[:20]:
        flash(request, f"提示：{w.message}", "warn")
    return RedirectResponse("/unit", 303)


def report_docx(request: Request) -> Response:
    who = require(request, UNIT)
    config = settings(request)
    with config.ledger.read() as session:
        unit = _unit(session, who)
    profile, findings = _results(request, unit)
    if profile is None:
        flash(request, "请先上传信息采集表，检查后才能生成自查报告", "error")
        return RedirectResponse("/unit", 303)
    view = adapter.unit_view(config.pack, unit, profile, findings)
    data = adapter.self_report_docx(config.pack, view, config.today())
    return download(data, f"自查报告_{safe_name(unit.name)}.docx", DOCX)


def ledger_xlsx(request: Request) -> Response:
    who = require(request, UNIT)
    config = settings(request)
    with config.ledger.read() as session:
        unit = _unit(session, who)
        data = adapter.ledger_xlsx(unit_items(session, unit.id), config.today())
    return download(data, f"整改台账_{safe_name(unit.name)}.xlsx", XLSX)


def scoped_item(session: Any, who: Who, item_id: int) -> Item:
    """The item when ``who`` may see it: a unit only its own (another unit's item is "not found")."""
    item = session.get(Item, item_id)
    if item is None or (who.role == UNIT and item.unit_id != who.unit_id):
        raise HTTPException(404, "没有这个事项，或您无权查看")
    return item


def item_page(request: Request) -> Response:
    who = require(request)
    item_id = request.path_params["item_id"]
    with settings(request).ledger.read() as session:
        item = scoped_item(session, who, item_id)
        history = list(item.history)
    return render(request, "item.html", who=who, item=item, history=history, unit_statuses=UNIT_STATUSES,
                  can_edit=who.role == UNIT and item.status not in ("已销号", "豁免"),
                  can_review=who.role in INSPECT and item.status == DONE)


@form_page(UNIT)
def item_update(request: Request, who: Who, form: FormData) -> Response:
    """A unit's progress on its own item: 整改进展, 佐证材料, 完成情况 (整改中 / 已整改待验收)."""
    item_id = request.path_params["item_id"]
    config = settings(request)
    changes: dict[str, Any] = {k: str(form.get(k) or "").strip()[:2000] for k in ("progress", "evidence")}
    status = str(form.get("status") or "")
    if status:
        changes["status"] = status
    try:
        version = int(str(form.get("version") or ""))
    except ValueError:
        raise HTTPException(400, "表单缺少版本号，请刷新页面后重新填写") from None
    try:
        with config.ledger.write() as session:
            item = scoped_item(session, who, item_id)
            done = adapter.change_item(session, item, changes, who.label, str(form.get("reason") or "单位网页填报")[:500],
                                       expected_version=version, unit=True, on=config.today())
    except LedgerError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(f"/items/{item_id}", 303)
    flash(request, f"已保存{len(done)}处修改" if done else "没有修改")
    return RedirectResponse(f"/items/{item_id}", 303)


@form_page(*INSPECT)
def item_review(request: Request, who: Who, form: FormData) -> Response:
    """The inspector accepts (销号) or rejects (退回整改) an item awaiting acceptance."""
    item_id = request.path_params["item_id"]
    config = settings(request)
    action = form.get("action")
    if action not in ("accept", "reject"):
        raise HTTPException(400, "请选择销号或退回")
    reason = str(form.get("reason") or "").strip()[:500]
    if action == "reject" and not reason:
        flash(request, "退回整改须填写退回原因", "error")
        return RedirectResponse(f"/items/{item_id}", 303)
    try:
        version = int(str(form.get("version") or ""))
        with config.ledger.write() as session:
            item = scoped_item(session, who, item_id)
            status = "已销号" if action == "accept" else WORKING
            adapter.change_item(session, item, {"status": status}, who.label,
                                reason or ("复查验收通过，销号" if action == "accept" else ""),
                                expected_version=version, unit=False, on=config.today())
    except ValueError:
        raise HTTPException(400, "表单缺少版本号，请刷新页面后重新填写") from None
    except LedgerError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(f"/items/{item_id}", 303)
    flash(request, "已销号" if action == "accept" else "已退回整改")
    return RedirectResponse(f"/items/{item_id}", 303)


ROUTES = [
    Route("/unit", unit_home),
    Route("/unit/form.xlsx", form_xlsx),
    Route("/unit/upload", upload, methods=["POST"]),
    Route("/unit/report.docx", report_docx),
    Route("/unit/ledger.xlsx", ledger_xlsx),
    Route("/items/{item_id:int}", item_page),
    Route("/items/{item_id:int}/update", item_update, methods=["POST"]),
    Route("/items/{item_id:int}/review", item_review, methods=["POST"]),
]
