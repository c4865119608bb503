"""The web layer's calls into the pipeline, form, report and ledger code — the same functions the CLI uses.

Kept in one module so that newer readers and writers (XLSX forms, report documents, ledger checks) can be
swapped in here without touching the pages.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from compliance.engine.domain import Domain
from compliance.engine.pack import Pack
from compliance.findings import Finding, zh_date
from compliance.inputs.loader import Problem, parse_text
from compliance.ledger.accounts import Unit
from compliance.ledger.errors import LedgerError
from compliance.ledger.lifecycle import update_item
from compliance.ledger.models import Item
from compliance.ledger.sync import checks_from_findings, sync
from compliance.output.files import safe_name
from compliance.pipeline import upload
from compliance.pipeline.run import check_profile, validate_profile
from compliance.pipeline.upload import Upload
from compliance.report.overview import UnitView, build_overview

MAX_UPLOAD = 2 * 1024 * 1024
"""Largest accepted upload (bytes): a filled 信息采集表 is some tens of kilobytes."""
FORM_SUFFIXES = (".xlsx",)
TEXT_SUFFIXES = (".yaml", ".yml", ".json")


def read_upload(domain: Domain, filename: str, data: bytes, as_of: dt.date) -> Upload:
    """Read an uploaded 信息采集表 (XLSX) or YAML/JSON profile with the CLI's readers and consistency checks
    (:func:`compliance.pipeline.upload.read_upload`, which also applies the size cap); the page only accepts
    the kinds of file it offers."""
    name = safe_name(Path(filename or "上传文件").name) or "上传文件"
    if not data:
        return Upload(None, [Problem(name, "文件是空的，请选择填好的信息采集表或单位档案")], [])
    if len(data) <= MAX_UPLOAD and Path(name).suffix.lower() not in FORM_SUFFIXES + TEXT_SUFFIXES:
        return Upload(None, [Problem(name, "只能上传 .xlsx 信息采集表或 .yaml/.yml/.json 单位档案")], [])
    return upload.read_upload(name, data, domain, as_of, MAX_UPLOAD)


def profile_text(profile: BaseModel) -> str:
    """The profile as stored in the database (the YAML ``compliance import`` writes)."""
    from compliance.domains.form import profile_yaml

    return profile_yaml(profile)


def load_stored(domain: Domain, unit: Unit) -> BaseModel | None:
    """The unit's stored profile, validated again (None when it has none)."""
    if not unit.profile:
        return None
    return validate_profile(parse_text(unit.profile, unit.id), domain, unit.id, unit.profile)


def form_bytes(domain: Domain, unit_name: str, profile: BaseModel | None = None) -> bytes:
    """The 信息采集表 for a unit: blank, or pre-filled from its last profile."""
    from compliance.domains.form_xlsx import form_workbook

    return form_workbook(domain, profile, unit_name)


def check(pack: Pack, profile: BaseModel, as_of: dt.date, source: str) -> list[Finding]:
    return check_profile(pack, profile, as_of, source)


def record_check(session: Session, pack: Pack, unit: Unit, findings: list[Finding], as_of: dt.date, by: str,
                 source: str) -> str:
    """Store the check's counts on the unit and reconcile its findings with the ledger (as ``ledger sync``)."""
    unit.checked_on = as_of
    unit.fail_count = sum(f.state == "fail" for f in findings)
    unit.serious_count = sum(f.state == "fail" and f.severity == "严重" for f in findings)
    unit.unknown_count = sum(f.state == "unknown" for f in findings)
    unit.advisory_count = sum(f.state == "advisory" for f in findings)
    rules = {r.id for r in pack.rules if r.rule.enabled}
    checks = checks_from_findings(findings, as_of, rules, source)
    if not checks:
        return "整改台账无变化"
    counts = sync(session, checks, by).counts
    changes = "，".join(f"{kind}{n}项" for kind, n in counts.items() if n and kind not in ("仍未整改", "待核实"))
    return f"整改台账：{changes}" if changes else "整改台账无变化"


def unit_view(pack: Pack, unit: Unit, profile: BaseModel, findings: list[Finding]) -> UnitView:
    return UnitView(unit.id, unit.name, "网页上传", findings, pack.domain.addressee_of(profile))


def self_report_docx(pack: Pack, view: UnitView, as_of: dt.date) -> bytes:
    """The unit's 自查报告 (DOCX) with the report package's block writer."""
    from compliance.report.docx import blocks_docx
    from compliance.report.text import Heading, Para, Table

    subject = pack.domain.title
    blocks: list[Any] = [
        Heading(0, f"{view.unit_name}{subject}工作自查报告"),
        Para(f"自查日期：{zh_date(as_of)}。按照{pack.meta.title}逐项自查，发现问题{len(view.fails)}个、"
             f"待核实事项{len(view.unknowns)}项、提醒事项{len(view.reminders)}项。"),
        Heading(1, "一、存在的问题和整改措施"),
    ]
    rows = [[i, f.title + (f"（{f.subject}）" if f.subject else ""), f.severity, f.message, f.basis, f.measure]
            for i, f in enumerate(view.fails, 1)]
    blocks.append(Table(["序号", "问题", "严重程度", "问题描述", "依据", "整改措施"], rows) if rows else Para("无。"))
    blocks.append(Heading(1, "二、待核实事项（档案未填报，请准备材料）"))
    rows = [[i, f.title, f.message, "、".join(f.evidence) or "—"] for i, f in enumerate(view.unknowns, 1)]
    blocks.append(Table(["序号", "要求", "待核实内容", "需准备材料"], rows) if rows else Para("无。"))
    blocks.append(Heading(1, "三、提醒事项（不是问题，请提前准备）"))
    rows = [[i, f.title, f.message, f.measure] for i, f in enumerate(view.reminders, 1)]
    blocks.append(Table(["序号", "事项", "提醒内容", "建议"], rows) if rows else Para("无。"))
    return blocks_docx(blocks, as_of, view.unit_name)


def ledger_xlsx(items: list[Item], as_of: dt.date) -> bytes:
    """The 整改台账 workbook of ``items`` (the ``ledger export`` writer)."""
    from compliance.ledger.xlsx import write_workbook

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.xlsx"
        write_workbook(items, path, as_of)
        return path.read_bytes()


def report_package(pack: Pack, views: list[UnitView], as_of: dt.date) -> bytes:
    """督查报告, 问题清单, 检查提纲 and 整改通知书 (``compliance report``'s plan) as one zip archive."""
    from compliance.report.documents import Batch, plan

    batch = Batch(build_overview(pack, views, as_of), Path("督查材料"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, (_, make) in plan(batch, ["docx", "xlsx"]).items():
            archive.writestr(path.as_posix(), make())
    return buffer.getvalue()


def change_item(session: Session, item: Item, changes: dict[str, Any], by: str, reason: str, *,
                expected_version: int, unit: bool, on: dt.date) -> list[tuple[str, Any, Any]]:
    """Apply a change from a page: the ledger's transition rules, history, and the lost-update check."""
    if item.version != expected_version:
        raise LedgerError(f"该事项已被他人修改（您看到的是第{expected_version}版，现在是第{item.version}版），"
                          "为免覆盖他人的修改，请刷新页面后重新填写")
    return update_item(session, item, changes, by, reason, on=on, unit=unit, expected_version=expected_version)
