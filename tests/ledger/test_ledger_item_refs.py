"""`ledger show`/`update` name an item by its number or key: digits other than ASCII and numbers beyond
64 bits name no item (a Chinese error, exit 2), never a traceback."""

from __future__ import annotations

import pytest

from compliance.cli import main

from conftest import FIXTURES

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture
def db(runner, tmp_path) -> str:
    path = str(tmp_path / "台账.sqlite")
    result = runner.invoke(main, ["ledger", "sync", str(FIXTURES / "02-shi-shuiliju.yaml"), "--as-of", "2025-11-20",
                                  "--db", path])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("ref", ["¹", "¹²³", "١٢", "9" * 5000, "0" * 30 + "1" + "0" * 20, "#-1"])
def test_an_item_ref_that_is_not_a_plain_number_in_range_names_no_item(runner, db, ref):
    result = runner.invoke(main, ["ledger", "show", ref, "--db", db])
    assert result.exit_code == 2 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "台账中没有事项" in result.stderr and len(result.stderr) < 400


def test_leading_zeros_still_name_the_item(runner, db):
    result = runner.invoke(main, ["ledger", "show", "0" * 30 + "1", "--db", db])
    assert result.exit_code == 0 and "变更历史" in result.stdout
