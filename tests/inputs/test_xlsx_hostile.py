"""A hostile 信息采集表 is refused with a Chinese error, in bounded time and memory, never a traceback."""

from __future__ import annotations

import io
import zipfile

import openpyxl.xml
from openpyxl import load_workbook

from compliance.domains.form_xlsx import form_workbook
from compliance.pipeline.upload import read_upload

from conftest import AS_OF, DANGJIAN


def blank_form() -> bytes:
    return form_workbook(DANGJIAN, unit_name="市测试局")


def rewritten(data: bytes, member: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, change(body) if info.filename == member else body)
    return out.getvalue()


def test_openpyxl_parses_workbooks_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML, "defusedxml must be installed (a dependency) so that openpyxl uses it"


def test_an_xml_entity_bomb_inside_a_sheet_is_refused():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8))
              + b"]>")

    def bomb(body: bytes) -> bytes:
        head, _, rest = body.partition(b"?>")
        return laughs + rest.replace(b"<t>", b"<t>&i;", 1) if b"<t>" in rest else laughs + rest

    data = rewritten(blank_form(), "xl/worksheets/sheet2.xml", bomb)
    upload = read_upload("bomb.xlsx", data, DANGJIAN, AS_OF)
    assert upload.profile is None and "无法" in upload.problems[0].message


def test_a_table_sheet_thousands_of_columns_wide_is_read_only_as_far_as_its_own_columns():
    wb = load_workbook(io.BytesIO(blank_form()))
    ws = wb["工作记录"]
    for col in range(1, 3000, 7):
        ws.cell(row=2, column=col + 20, value=f"多余表头{col}")
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = read_upload("wide.xlsx", buffer.getvalue(), DANGJIAN, AS_OF)
    assert upload.profile is None
    assert [p.message for p in upload.problems] == ["工作记录!U2：未知表头「多余表头1」", "工作记录!AB2：未知表头「多余表头8」",
                                                    "基本情况!C3：缺少必填项"]


def test_a_declared_huge_archive_is_refused_before_unpacking():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<x/>")
        z.writestr("xl/big.bin", b"\0" * (60 * 1024 * 1024))
    upload = read_upload("bomb.xlsx", out.getvalue(), DANGJIAN, AS_OF)
    assert "疑似压缩炸弹" in upload.problems[0].message
