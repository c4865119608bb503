"""End to end in a real browser: uvicorn in a subprocess on a temp SQLite ledger (and on PostgreSQL when a test
server is given), headless Chromium via Playwright.

A unit uploads a broken form (sees the located errors), then a good profile, reads its 问题清单, downloads
its 自查报告, updates an item and is refused another unit's item; the inspector sees the item on the
dashboard and closes it; two browsers update one item at once and neither change is lost. Screenshots of
every page go to the test's tmp dir (and to $COMPLIANCE_WEB_SHOTS when set).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from web_support import FIXTURES, items_of
from web_support import any_demo_db, demo_template  # noqa: F401 - fixtures

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--lang=zh-CN"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _need_browser() -> None:
    missing = [] if Path(CHROMIUM).exists() else [CHROMIUM]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright")
    if missing and not os.environ.get("CI"):
        pytest.skip(f"浏览器测试需要 {'、'.join(missing)}")
    assert not missing, f"CI 中应安装 {missing}（.ci/run 安装 Debian 的 chromium）"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(any_demo_db, tmp_path):
    _need_browser()
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "compliance", "serve", "--db", any_demo_db, "--port", str(port),
                                "--as-of", "2025-11-20"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert process.poll() is None, (tmp_path / "serve.log").read_text(encoding="utf-8")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)
    log.close()


@pytest.fixture
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Shots:
    def __init__(self, folder: Path) -> None:
        self.folder, self.n = folder, 0
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name: str) -> None:
        self.n += 1
        page.screenshot(path=str(self.folder / f"{self.n:02d}-{name}.png"), full_page=True)


@pytest.fixture
def shots(tmp_path):
    s = Shots(tmp_path / "shots")
    yield s
    target = os.environ.get("COMPLIANCE_WEB_SHOTS")
    if target:
        shutil.copytree(s.folder, target, dirs_exist_ok=True)


def _page(browser, base: str, name: str):
    page = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True,
                               base_url=base, locale="zh-CN").new_page()
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", "demo-2025")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366, page.url


def test_unit_and_inspector_journeys_in_chromium(server, browser, any_demo_db, shots, tmp_path):
    demo_db = any_demo_db
    from test_web_app import broken_form

    login = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=server, locale="zh-CN").new_page()
    login.goto("/login")
    shots(login, "login")
    unit = _page(browser, server, "sz-014")
    assert unit.url.endswith("/unit")
    shots(unit, "unit-home")
    _no_horizontal_scroll(unit)

    form = tmp_path / "信息采集表.xlsx"
    form.write_bytes(broken_form(tmp_path).replace(b"SZ-001", b"SZ-014"))
    assert unit.inner_text(".file-name") == "未选择文件" and "选择文件" in unit.inner_text(".file-pick")
    unit.set_input_files("input[type=file]", str(form))
    assert unit.inner_text(".file-name") == "信息采集表.xlsx", "the chosen file is named in Chinese UI, whatever the browser"
    unit.click("text=上传并检查")
    unit.wait_for_selector("#upload-problems")
    assert "基本情况!C12" in unit.inner_text("#upload-problems")
    shots(unit, "upload-errors")

    good = tmp_path / "档案.yaml"
    good.write_text((FIXTURES / "02-shi-shuiliju.yaml").read_text(encoding="utf-8")
                    .replace("funds_review_committee: false", "funds_review_committee: true"), encoding="utf-8")
    unit.set_input_files("input[type=file]", str(good))
    unit.click("text=上传并检查")
    unit.wait_for_selector("text=已上传并检查")
    assert "问题清单" in unit.inner_text("main") and "整改措施" in unit.inner_text("main")
    shots(unit, "problem-list")
    _no_horizontal_scroll(unit)

    with unit.expect_download() as download:
        unit.click("text=下载自查报告（Word）")
    assert download.value.suggested_filename.endswith(".docx")
    assert download.value.path().read_bytes()[:2] == b"PK"

    items = items_of(demo_db, "SZ-014")
    waiting = next(i for i in items if i.rule_id == "B2")
    assert waiting.status == "已整改待验收"
    working = next(i for i in items if i.status == "新增")
    unit.goto(f"/items/{working.id}")
    unit.fill("textarea[name=progress]", "已召开党组会议专题研究，正在制定方案")
    unit.select_option("select[name=status]", "整改中")
    unit.click("text=保存")
    unit.wait_for_selector("text=已保存")
    assert "已召开党组会议专题研究" in unit.inner_text("main")
    shots(unit, "item-updated")

    other = items_of(demo_db, "SZ-001")[0] if items_of(demo_db, "SZ-001") else items_of(demo_db, "SZ-031")[0]
    response = unit.goto(f"/items/{other.id}")
    assert response.status == 404 and "无权查看" in unit.inner_text("main")
    shots(unit, "other-unit-refused")

    inspector = _page(browser, server, "ducha")
    assert inspector.url.endswith("/inspect") and "市水利局" in inspector.inner_text("main")
    shots(inspector, "dashboard")
    _no_horizontal_scroll(inspector)
    inspector.click("text=待验收事项")
    shots(inspector, "items-awaiting-acceptance")
    inspector.goto(f"/items/{waiting.id}")
    inspector.click("text=验收通过，销号")
    inspector.wait_for_selector("text=已销号")
    shots(inspector, "item-closed")
    assert [i.status for i in items_of(demo_db, "SZ-014") if i.id == waiting.id] == ["已销号"]

    first, second = _page(browser, server, "sz-014"), _page(browser, server, "sz-014")
    for page in (first, second):
        page.goto(f"/items/{working.id}")
    first.fill("textarea[name=progress]", "甲：方案已报党组审定")
    second.fill("textarea[name=progress]", "乙：同时提交的另一版本")
    first.click("text=保存")
    first.wait_for_selector("text=已保存")
    second.click("text=保存")
    second.wait_for_selector("text=已被他人修改")
    shots(second, "concurrent-update-refused")
    assert [i.progress for i in items_of(demo_db, "SZ-014") if i.id == working.id] == ["甲：方案已报党组审定"]

    admin = _page(browser, server, "admin")
    shots(admin, "admin")
    _no_horizontal_scroll(admin)
    assert re.search(r"单位（10个）", admin.inner_text("main"))
