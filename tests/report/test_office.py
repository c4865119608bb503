"""The office profile: written by ``init-office``, read by ``report --office`` (or ./office.yaml), validated."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import AS_OF, FIXTURES

from compliance.cli import main
from compliance.report.office import Office, find_office, load_office

ARGS = ["--as-of", AS_OF.isoformat()]
SHUILIJU = FIXTURES / "02-shi-shuiliju.yaml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def notice_texts(folder: Path) -> dict[str, list[str]]:
    import docx

    return {p.name: [x.text for x in docx.Document(str(p)).paragraphs if x.text.strip()]
            for p in sorted((folder / "整改通知书").glob("*.docx"))}


def test_init_office_writes_a_commented_profile_that_loads_and_never_overwrites(tmp_path):
    target = tmp_path / "office.yaml"
    first = CliRunner().invoke(main, ["init-office", "-o", str(target), "--issuer", "中共某某市直属机关工作委员会"])
    assert first.exit_code == 0, first.stderr
    office = load_office(target)
    assert office.issuer == "中共某某市直属机关工作委员会" and office.timezone == "Asia/Shanghai"
    assert office.review_mode == "书面审查" and office.copy_to and "{号}" in office.number_pattern
    write(target, "发文机关: 我改过的\n")
    again = CliRunner().invoke(main, ["init-office", "-o", str(target)])
    assert again.exit_code == 2 and "未覆盖" in again.stderr
    assert target.read_text(encoding="utf-8") == "发文机关: 我改过的\n"


def test_without_a_file_the_defaults_take_the_issuer_from_the_pack(tmp_path):
    office = find_office(None, cwd=tmp_path)
    assert office == Office() and office.issuer is None
    assert office.resolved("某机关").signature == "某机关"
    assert office.number(0, 2025) == ""


@pytest.mark.parametrize("text, words", [
    ("督查方式: 随便看看\n", "督查方式"),
    ("文号格式: 某工委〔2025〕号\n", "{号}"),
    ("时区: Mars/Olympus\n", "未知时区"),
    ("发文机关: 甲\n落款人: 乙\n", "未知字段"),
    ("起始序号: 0\n", "起始序号"),
])
def test_a_bad_office_file_is_a_located_chinese_usage_error(tmp_path, text, words):
    bad = write(tmp_path / "office.yaml", text)
    result = CliRunner().invoke(main, ["report", str(SHUILIJU), "-o", str(tmp_path / "out"), "--office", str(bad), *ARGS])
    assert result.exit_code == 3, result.stderr
    assert words in result.stderr and str(bad) in result.stderr and "Traceback" not in result.stderr
    assert re.search(r"office\.yaml:\d+", result.stderr)
    assert not (tmp_path / "out").exists()


def test_notices_are_numbered_in_sequence_signed_and_copied_as_the_office_says(tmp_path):
    office = write(tmp_path / "office.yaml",
                   "发文机关: 中共某某市直属机关工作委员会\n落款: 中共某某市直机关工委\n"
                   "文号格式: 某工委督〔{年}〕{号}号\n起始序号: 7\n抄送: 市总工会、团市委、市妇联\n")
    result = CliRunner().invoke(main, ["report", str(FIXTURES), "-o", str(tmp_path / "out"), "--format", "docx",
                                       "--office", str(office), *ARGS])
    assert result.exit_code == 0, result.stderr
    texts = notice_texts(tmp_path / "out")
    numbers = {lines[0] for lines in texts.values()}  # one number each, in unit order (files sort by name)
    assert numbers == {f"某工委督〔2025〕{7 + i}号" for i in range(len(texts))}
    for lines in texts.values():
        assert lines[-3:] == ["中共某某市直机关工委", "2025年11月20日", "抄送：市总工会，团市委，市妇联。"]
        assert any("书面报送中共某某市直属机关工作委员会" in line for line in lines)
    assert f"起始序号 改为{7 + len(texts)}" in result.stderr


def test_a_desk_review_is_not_called_an_inspection_and_a_site_visit_is(tmp_path):
    desk = CliRunner().invoke(main, ["report", str(SHUILIJU), "-o", str(tmp_path / "desk"), "--format", "docx", *ARGS])
    assert desk.exit_code == 0
    opening = next(iter(notice_texts(tmp_path / "desk").values()))[2]
    assert "书面审查" in opening and "经检查" not in opening and "进行了检查" not in opening
    site = write(tmp_path / "site.yaml", "督查方式: 现场督查\n")
    result = CliRunner().invoke(main, ["report", str(SHUILIJU), "-o", str(tmp_path / "site"), "--format", "docx",
                                       "--office", str(site), *ARGS])
    assert result.exit_code == 0
    opening = next(iter(notice_texts(tmp_path / "site").values()))[2]
    assert "于2025年11月20日对你单位党建带群建工作进行了现场督查。经检查" in opening


def test_office_yaml_in_the_working_directory_is_used_by_default(tmp_path, monkeypatch):
    shutil.copy(SHUILIJU, tmp_path / "unit.yml")
    write(tmp_path / "office.yaml", "发文机关: 默认读取的机关\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", "unit.yml", "-o", "out", "--format", "docx", *ARGS])
    assert result.exit_code == 0, result.stderr
    lines = next(iter(notice_texts(tmp_path / "out").values()))
    assert lines[-2] == "默认读取的机关"


def test_no_issuer_is_written_into_the_report_code():
    src = Path(__file__).resolve().parents[2] / "src" / "compliance"
    hits = [p.name for p in (src / "report").rglob("*.py") if "市直机关工委" in p.read_text(encoding="utf-8")]
    hits += [p.name for p in (src / "cli").rglob("report.py") if "市直机关工委" in p.read_text(encoding="utf-8")]
    assert hits == []
