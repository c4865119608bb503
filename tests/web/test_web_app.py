"""The web pages as each role uses them: scoping by role, CSRF, throttling, uploads, lost updates, downloads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from web_support import FIXTURES, csrf_of, item, items_of, login, set_item  # noqa: E402
from web_support import app, client_for, demo_db, demo_template  # noqa: E402,F401 - fixtures

POSTS = ["/login", "/logout", "/unit/upload", "/items/1/update", "/items/1/review", "/inspect/check",
         "/admin/units", "/admin/accounts"]


def broken_form(tmp_path: Path) -> bytes:
    """The blank 信息采集表 of 市财政局 with its id and a date that is not a date."""
    from openpyxl import load_workbook

    path = tmp_path / "form.xlsx"
    from compliance.domains.dangjian import DOMAIN

    DOMAIN.form.write(path, "市财政局")
    wb = load_workbook(path)
    ws = wb["基本情况"]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "unit.id":
            row[2].value = "SZ-001"
        if row[1].value == "unit.founded":
            row[2].value = "去年春天"
    wb.save(path)
    return path.read_bytes()


def upload(client, name: str, data: bytes):
    token = csrf_of(client, "/unit")
    return client.post("/unit/upload", data={"csrf_token": token}, files={"file": (name, data)}, follow_redirects=False)


# --- logging in --------------------------------------------------------------------------------

def test_pages_other_than_login_send_an_anonymous_visitor_to_the_login_page(client_for):
    client = client_for()
    for page in ("/", "/unit", "/inspect", "/admin", "/items/1", "/unit/report.docx", "/inspect/package.zip"):
        response = client.get(page, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/login"), page


def test_a_wrong_password_does_not_log_in_and_says_so_in_chinese(client_for):
    client = client_for()
    response = login(client, "sz-001", "wrong-password")
    assert response.status_code == 401 and "账号或密码不正确" in response.text
    assert client.get("/unit", follow_redirects=False).status_code == 303


def test_logins_are_throttled_after_five_failures_even_with_the_right_password(client_for):
    client = client_for()
    for _ in range(5):
        assert login(client, "sz-001", "wrong-password").status_code == 401
    response = login(client, "sz-001")
    assert response.status_code == 429 and "登录失败次数过多" in response.text


def test_each_role_lands_on_its_own_page(client_for):
    for name, page in (("sz-001", "/unit"), ("ducha", "/inspect"), ("admin", "/admin")):
        assert client_for(name).get("/", follow_redirects=False).headers["location"] == page


def test_the_session_cookie_is_signed_http_only_same_site_and_expires(client_for):
    client = client_for()
    response = login(client, "sz-001")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=28800" in cookie
    client.cookies.clear()  # the forged cookie alone (a test client may file it beside the real one, not over it)
    client.cookies.set("compliance_session", "forged.value.sig")
    assert client.get("/unit", follow_redirects=False).status_code == 303


# --- CSRF and headers -----------------------------------------------------------------------------

@pytest.mark.parametrize("who", [None, "sz-001", "ducha", "admin"])
def test_every_post_without_the_csrf_token_is_refused(client_for, who):
    client = client_for(who)
    for path in POSTS:
        response = client.post(path, data={"name": "admin", "password": "demo-2025", "csrf_token": "forged"},
                               follow_redirects=False)
        assert response.status_code in (303, 403), path
        if response.status_code == 303:  # pages for other roles send anonymous visitors to log in first
            assert who is None and response.headers["location"] == "/login"
        else:
            assert "安全校验未通过" in response.text or "无权" in response.text


def test_responses_carry_security_headers(client_for):
    response = client_for().get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


# --- scoping by role --------------------------------------------------------------------------------

def test_a_unit_cannot_see_or_change_another_units_item(client_for, demo_db):
    other = items_of(demo_db, "SZ-014")[0]
    client = client_for("sz-001")
    assert client.get(f"/items/{other.id}").status_code == 404
    token = csrf_of(client, "/unit")
    response = client.post(f"/items/{other.id}/update", data={"csrf_token": token, "version": other.version,
                                                             "progress": "篡改", "status": "已整改待验收"})
    assert response.status_code == 404 and "无权查看" in response.text
    after, _ = item(demo_db, other.id)
    assert (after.progress, after.status, after.version) == (other.progress, other.status, other.version)
    assert "市水利局" not in client.get("/unit").text


def test_a_unit_cannot_open_inspector_or_admin_pages_nor_review_items(client_for, demo_db):
    own = items_of(demo_db, "SZ-014")[0]
    set_item(demo_db, own.id, status="已整改待验收", last_result="absent")
    client = client_for("sz-014")
    for page in ("/inspect", "/inspect/items", "/inspect/package.zip", "/admin"):
        assert client.get(page).status_code == 403, page
    token = csrf_of(client, "/unit")
    response = client.post(f"/items/{own.id}/review", data={"csrf_token": token, "version": own.version + 0,
                                                           "action": "accept"})
    assert response.status_code == 403
    assert item(demo_db, own.id)[0].status == "已整改待验收"


def test_an_inspector_cannot_open_the_admin_page(client_for):
    assert client_for("ducha").get("/admin").status_code == 403


# --- the unit's journey ------------------------------------------------------------------------------

def test_the_unit_page_lists_problems_with_basis_and_measure_unknowns_and_reminders_apart(client_for):
    text = client_for("sz-014").get("/unit").text
    for heading in ("二、问题清单", "三、待核实事项", "四、提醒事项", "五、本单位整改台账"):
        assert heading in text
    assert "依据" in text and "整改措施" in text and "市水利局" in text


def test_a_broken_form_is_refused_with_problems_next_to_their_cells(client_for, tmp_path, demo_db):
    before = items_of(demo_db, "SZ-001")
    response = upload(client_for("sz-001"), "信息采集表.xlsx", broken_form(tmp_path))
    assert response.status_code == 400
    assert "未保存" in response.text and "基本情况!C12" in response.text and "Traceback" not in response.text
    assert [i.version for i in items_of(demo_db, "SZ-001")] == [i.version for i in before]


def test_a_good_profile_is_checked_and_entered_in_the_ledger(client_for, demo_db):
    text = (FIXTURES / "02-shi-shuiliju.yaml").read_text(encoding="utf-8")
    fixed = text.replace("SZ-014", "SZ-001").replace("市水利局", "市财政局")
    client = client_for("sz-001")
    response = upload(client, "档案.yaml", fixed.encode("utf-8"))
    assert response.status_code == 303
    assert "已上传并检查" in client.get("/unit").text
    assert len(items_of(demo_db, "SZ-001")) == len(items_of(demo_db, "SZ-014")) > 0


def test_a_profile_of_another_unit_is_refused(client_for):
    response = upload(client_for("sz-001"), "档案.yaml", (FIXTURES / "02-shi-shuiliju.yaml").read_bytes())
    assert response.status_code == 400 and "与您的单位" in response.text


@pytest.mark.parametrize("name, data, message", [
    ("a.exe", b"MZ", "只能上传"),
    ("a.xlsx", b"not a zip", "不是有效的 XLSX 文件"),
    ("a.yaml", b"a: &x [1]\nb: *x\n", "别名"),
    ("a.yaml", b"", "文件是空的"),
])
def test_hostile_or_wrong_uploads_are_located_chinese_errors(client_for, name, data, message):
    response = upload(client_for("sz-001"), name, data)
    assert response.status_code == 400 and message in response.text and "Traceback" not in response.text


def test_an_upload_above_the_size_limit_is_refused_before_it_is_read(client_for):
    response = upload(client_for("sz-001"), "big.yaml", b"a: 1\n" * 600_000)
    assert response.status_code == 413 and "过大" in response.text


def test_a_unit_updates_progress_and_the_history_names_the_account(client_for, demo_db):
    own = items_of(demo_db, "SZ-014")[0]
    client = client_for("sz-014")
    token = csrf_of(client, f"/items/{own.id}")
    response = client.post(f"/items/{own.id}/update", data={"csrf_token": token, "version": own.version,
                                                           "progress": "已召开专题会议", "status": "整改中"})
    assert response.status_code == 200 and "已保存" in response.text
    after, history = item(demo_db, own.id)
    assert (after.progress, after.status) == ("已召开专题会议", "整改中")
    assert {h.by for h in history[-2:]} == {"sz-014（单位）"}


def test_a_unit_cannot_close_its_own_item(client_for, demo_db):
    own = items_of(demo_db, "SZ-014")[0]
    client = client_for("sz-014")
    token = csrf_of(client, f"/items/{own.id}")
    response = client.post(f"/items/{own.id}/update", data={"csrf_token": token, "version": own.version,
                                                           "status": "已销号"})
    assert "单位只能将完成情况填为" in response.text
    assert item(demo_db, own.id)[0].status == own.status


def test_two_updates_from_the_same_page_version_do_not_overwrite_each_other(client_for, demo_db):
    own = items_of(demo_db, "SZ-014")[0]
    first, second = client_for("sz-014"), client_for("sz-014")
    tokens = [csrf_of(c, f"/items/{own.id}") for c in (first, second)]
    ok = first.post(f"/items/{own.id}/update", data={"csrf_token": tokens[0], "version": own.version, "progress": "甲"})
    late = second.post(f"/items/{own.id}/update", data={"csrf_token": tokens[1], "version": own.version, "progress": "乙"})
    assert "已保存" in ok.text and "已被他人修改" in late.text
    assert item(demo_db, own.id)[0].progress == "甲"


def test_the_unit_downloads_its_self_report_ledger_and_form(client_for, demo_db):
    from docx import Document
    from openpyxl import load_workbook

    client = client_for("sz-014")
    report = client.get("/unit/report.docx")
    assert report.status_code == 200 and "filename*=UTF-8''" in report.headers["content-disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(report.content)).paragraphs)
    assert "市水利局党建带群建工作自查报告" in text and "2025年11月20日" in text
    ledger = load_workbook(io.BytesIO(client.get("/unit/ledger.xlsx").content))
    rows = list(ledger.active.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if "单位" in row)
    column = rows[header].index("单位")
    units = {row[column] for row in rows[header + 1:] if row[column]}
    assert units and all(str(u).startswith("市水利局") for u in units)
    form = load_workbook(io.BytesIO(client.get("/unit/form.xlsx").content))
    assert "基本情况" in form.sheetnames


# --- the inspector ---------------------------------------------------------------------------------

def test_the_dashboard_shows_units_by_status_overdue_serious_and_most_unknowns(client_for):
    text = client_for("ducha").get("/inspect").text
    for part in ("各单位整改情况", "待核实事项最多的单位", "逾期事项", "严重问题", "市水利局", "市财政局"):
        assert part in text


def test_the_inspector_closes_an_item_awaiting_acceptance_and_history_keeps_who(client_for, demo_db):
    own = items_of(demo_db, "SZ-014")[0]
    set_item(demo_db, own.id, status="已整改待验收", last_result="absent")
    client = client_for("ducha")
    token = csrf_of(client, f"/items/{own.id}")
    response = client.post(f"/items/{own.id}/review", data={"csrf_token": token, "version": own.version,
                                                           "action": "accept"})
    assert "已销号" in response.text
    after, history = item(demo_db, own.id)
    assert after.status == "已销号" and history[-1].by == "ducha（督查）"


def test_rejecting_needs_a_reason_and_sends_the_item_back(client_for, demo_db):
    own = items_of(demo_db, "SZ-014")[0]
    set_item(demo_db, own.id, status="已整改待验收")
    client = client_for("ducha")
    token = csrf_of(client, f"/items/{own.id}")
    assert "须填写退回原因" in client.post(f"/items/{own.id}/review", data={
        "csrf_token": token, "version": own.version, "action": "reject"}).text
    client.post(f"/items/{own.id}/review", data={"csrf_token": token, "version": own.version, "action": "reject",
                                                 "reason": "佐证材料不全"})
    after, history = item(demo_db, own.id)
    assert after.status == "整改中" and history[-1].reason == "佐证材料不全"


def test_the_batch_check_and_the_report_package(client_for):
    client = client_for("ducha")
    token = csrf_of(client, "/inspect")
    assert "已重新检查10个单位" in client.post("/inspect/check", data={"csrf_token": token}).text
    package = zipfile.ZipFile(io.BytesIO(client.get("/inspect/package.zip").content))
    names = package.namelist()
    assert "督查材料/督查报告.docx" in names and "督查材料/问题清单.xlsx" in names
    assert any(n.startswith("督查材料/检查提纲/") for n in names) and any(n.startswith("督查材料/整改通知书/") for n in names)


def test_item_lists_filter_and_page(client_for):
    client = client_for("ducha")
    assert "市水利局" in client.get("/inspect/items?unit=SZ-014").text
    assert "市水利局" not in client.get("/inspect/items?unit=SZ-001").text
    assert client.get("/inspect/items?page=abc&status=<script>").status_code == 200


# --- the administrator ------------------------------------------------------------------------------

def test_the_admin_creates_a_unit_and_its_account_which_can_then_log_in(client_for):
    admin = client_for("admin")
    token = csrf_of(admin, "/admin")
    admin.post("/admin/units", data={"csrf_token": token, "id": "SZ-099", "name": "市民政局"})
    text = admin.post("/admin/accounts", data={"csrf_token": token, "name": "minzheng", "password": "long-enough-1",
                                               "role": "unit", "unit_id": "SZ-099"}).text
    assert "已建立账号：minzheng（单位）" in text
    client = client_for()
    assert login(client, "minzheng", "long-enough-1").status_code == 303
    assert "市民政局" in client.get("/unit").text


def test_a_unit_account_needs_a_registered_unit_and_a_long_password(client_for):
    admin = client_for("admin")
    token = csrf_of(admin, "/admin")
    assert "须绑定已登记的单位" in admin.post("/admin/accounts", data={
        "csrf_token": token, "name": "x1", "password": "long-enough-1", "role": "unit", "unit_id": "NOPE"}).text
    assert "密码至少8个字符" in admin.post("/admin/accounts", data={
        "csrf_token": token, "name": "x2", "password": "short", "role": "inspector"}).text


# --- errors ------------------------------------------------------------------------------------------

def test_an_internal_error_is_a_chinese_page_without_a_stack_trace(client_for, monkeypatch):
    from compliance.web import adapter

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(adapter, "check", broken)
    response = client_for("sz-014").get("/unit")
    assert response.status_code == 500 and "系统内部错误" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text


def test_an_unknown_page_is_a_chinese_404(client_for):
    response = client_for().get("/nowhere")
    assert response.status_code == 404 and "页面不存在" in response.text


def test_the_downloaded_form_is_pre_filled_from_the_last_profile_and_reads_back_the_same(client_for, tmp_path):
    from compliance.domains.dangjian import DOMAIN
    from compliance.pipeline.run import load_profile

    path = tmp_path / "form.xlsx"
    path.write_bytes(client_for("sz-014").get("/unit/form.xlsx").content)
    expected = load_profile(FIXTURES / "02-shi-shuiliju.yaml", DOMAIN)
    assert DOMAIN.form.read(path).profile.model_dump() == expected.model_dump()


def test_text_that_looks_like_a_formula_is_written_into_the_form_as_text(client_for, tmp_path):
    from openpyxl import load_workbook

    text = (FIXTURES / "02-shi-shuiliju.yaml").read_text(encoding="utf-8").replace("孙立民", '"=HYPERLINK(1)"', 1)
    client = client_for("sz-014")
    assert upload(client, "档案.yaml", text.encode("utf-8")).status_code == 303
    path = tmp_path / "form.xlsx"
    path.write_bytes(client.get("/unit/form.xlsx").content)
    cells = [c for ws in load_workbook(path) for row in ws.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type != "f" and str(c.value).startswith("'") for c in cells)
