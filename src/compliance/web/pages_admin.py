"""Logging in and out, and the administrator's page: units and accounts."""

from __future__ import annotations

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from compliance.ledger.accounts import ADMIN, Account, Unit, add_account, ensure_unit, get_account
from compliance.ledger.errors import LedgerError
from compliance.web.app import Who, current, flash, form_page, render, require, settings
from compliance.web.security import hash_password, verify_password


def login_page(request: Request) -> Response:
    return render(request, "login.html", who=current(request))


@form_page(anonymous=True)
def login(request: Request, who: None, form: FormData) -> Response:
    config = settings(request)
    name = str(form.get("name") or "").strip()[:100]
    password = str(form.get("password") or "")[:200]
    client = request.client.host if request.client else "?"
    keys = (f"name:{name}", f"addr:{client}")
    wait = config.throttle.locked(*keys)
    if wait:
        raise HTTPException(429, f"登录失败次数过多，请{wait // 60 + 1}分钟后再试")
    with config.ledger.read() as session:
        account = get_account(session, name)
        ok = verify_password(account.password_hash if account else None, password) and account is not None \
            and account.active
    if not ok:
        config.throttle.failed(*keys)
        return render(request, "login.html", 401, who=None, error="账号或密码不正确", name=name)
    config.throttle.succeeded(*keys)
    request.session.clear()
    request.session["account"] = account.id
    return RedirectResponse("/", 303)


@form_page(anonymous=True)
def logout(request: Request, who: None, form: FormData) -> Response:
    request.session.clear()
    return RedirectResponse("/login", 303)


def admin_page(request: Request) -> Response:
    who = require(request, ADMIN)
    with settings(request).ledger.read() as session:
        units = list(session.scalars(select(Unit).order_by(Unit.id)))
        accounts = list(session.scalars(select(Account).order_by(Account.role, Account.name)))
    return render(request, "admin.html", who=who, units=units, accounts=accounts,
                  unit_names={u.id: u.name for u in units})


@form_page(ADMIN)
def add_unit(request: Request, who: Who, form: FormData) -> Response:
    try:
        with settings(request).ledger.write() as session:
            unit = ensure_unit(session, str(form.get("id") or "")[:100], str(form.get("name") or "")[:200])
            flash(request, f"已登记单位：{unit.name}（{unit.id}）")
    except LedgerError as exc:
        flash(request, str(exc), "error")
    return RedirectResponse("/admin", 303)


@form_page(ADMIN)
def add_account_page(request: Request, who: Who, form: FormData) -> Response:
    try:
        password_hash = hash_password(str(form.get("password") or ""))
        with settings(request).ledger.write() as session:
            account = add_account(session, str(form.get("name") or ""), password_hash, str(form.get("role") or ""),
                                  str(form.get("unit_id") or "") or None)
            flash(request, f"已建立账号：{account.name}（{account.role_zh}）")
    except (LedgerError, ValueError) as exc:
        flash(request, str(exc), "error")
    return RedirectResponse("/admin", 303)


ROUTES = [
    Route("/login", login_page),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/admin", admin_page),
    Route("/admin/units", add_unit, methods=["POST"]),
    Route("/admin/accounts", add_account_page, methods=["POST"]),
]
