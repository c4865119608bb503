"""The 整改台账 as printed: LibreOffice renders the XLSX to PDF and PNG (kept in the test's tmp dir to look at)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import AS_OF, FIXTURES
from test_ledger_helpers import run

pytestmark = [
    pytest.mark.render,
    pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")) and not os.environ.get("CI"),
                       reason="需要 LibreOffice（soffice）和 pdftoppm（poppler-utils）；CI 中必须运行"),
]


def twenty_unit_results(runner, tmp_path: Path, per_unit: int | None) -> Path:
    """Check results of 20 units with the fixtures' real texts: the failing fixtures and their 区/县 copies;
    ``per_unit`` keeps only that many problems of each unit."""
    checked = tmp_path / "检查.json"
    run(runner, "check", str(FIXTURES), "--as-of", AS_OF.isoformat(), "--format", "json", "-o", str(checked))
    doc = json.loads(checked.read_text(encoding="utf-8"))
    findings: list[dict] = []
    kept: dict[str, int] = {}
    for copy, prefix in (("", "市"), ("-B", "区"), ("-C", "县")):
        for f in doc["findings"]:
            unit = f["unit_id"] + copy
            if f["state"] != "fail" or (per_unit is not None and kept.get(unit, 0) >= per_unit):
                continue
            if unit not in kept and len(kept) == 20:
                continue
            kept[unit] = kept.get(unit, 0) + 1
            name = f["unit_name"].replace("市", prefix, 1)
            findings.append({**f, "unit_id": unit, "unit_name": name, "message": f["message"].replace(f["unit_name"], name),
                             "source": f["source"] + copy})
    assert len(kept) == 20
    out = tmp_path / "结果.json"
    out.write_text(json.dumps({**doc, "findings": findings}, ensure_ascii=False), encoding="utf-8")
    return out


def render(xlsx: Path, tmp_path: Path) -> tuple[int, list[str]]:
    """Pages of the printed workbook and the text of each page; PNGs of every page next to the PDF."""
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(xlsx)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (xlsx.stem + ".pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / xlsx.stem)], check=True,
                   capture_output=True, timeout=120)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "841.89 x 595.3" in info, "landscape A4"
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    texts = [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], check=True,
                            capture_output=True, text=True).stdout for n in range(1, pages + 1)]
    return pages, texts


def export(runner, results: Path, tmp_path: Path, name: str) -> Path:
    db = str(tmp_path / f"{name}.sqlite")
    assert run(runner, "ledger", "sync", str(results), "--db", db).exit_code == 0
    xlsx = tmp_path / f"{name}.xlsx"
    assert run(runner, "ledger", "export", "-o", str(xlsx), "--db", db, "--as-of", "2025-12-15").exit_code == 0
    return xlsx


def test_a_20_unit_ledger_prints_on_at_most_4_landscape_pages_with_every_column_and_the_header_on_each(runner, tmp_path):
    xlsx = export(runner, twenty_unit_results(runner, tmp_path, per_unit=2), tmp_path, "二十个单位")
    pages, texts = render(xlsx, tmp_path)
    assert pages <= 4, f"{pages} pages (PNGs in {tmp_path})"
    table_pages = [t for t in texts if "填写说明" not in t]
    assert len(table_pages) == pages - 1
    assert "整改台账" in texts[0] and "导出日期：2025年12月15日" in texts[0]
    for text in table_pages:
        assert all(h in text for h in ("序号", "严重程度", "整改时限", "完成情况", "销号时间", "备注")), text[:300]
        assert "事项编号" not in text and "导出校验" not in text, "technical columns stay hidden"
    assert "填写说明" in texts[-1]


def test_every_problem_of_the_fixtures_ledger_prints_with_all_columns_on_every_page(runner, tmp_path):
    xlsx = export(runner, twenty_unit_results(runner, tmp_path, per_unit=None), tmp_path, "全部问题")
    pages, texts = render(xlsx, tmp_path)
    assert pages <= 13, f"{pages} pages for about 142 problems (12 for 130; was 17, three columns a page)"
    for text in texts[:-1]:
        assert "备注" in text and "序号" in text
    printed = "".join(texts)
    assert "区水利局" in printed and "市水利局" in printed
    assert "第1页" in texts[0] and f"共{pages}页" in texts[0]
