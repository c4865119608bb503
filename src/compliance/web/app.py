"""The Starlette application: settings, sessions, templates, who is logged in, forms with CSRF, error pages."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from compliance.engine.pack import Pack
from compliance.findings import zh_date
from compliance.ledger.accounts import ADMIN, INSPECTOR, ROLES, UNIT, Account
from compliance.ledger.store import Ledger
from compliance.web.adapter import MAX_UPLOAD
from compliance.web.security import BodyTooLarge, Guard, Throttle, csrf_ok, csrf_token

HERE = Path(__file__).resolve().parent
SESSION_HOURS = 8
LOG = logging.getLogger("compliance.web")
INSPECT = (INSPECTOR, ADMIN)


@dataclass
class Settings:
    """What the pages share: the opened ledger, the pack, the session secret and the check date."""

    ledger: Ledger
    pack: Pack
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    session_hours: float = SESSION_HOURS
    as_of: dt.date | None = None
    throttle: Throttle = field(default_factory=Throttle)
    https_only: bool = False

    def today(self) -> dt.date:
        return self.as_of or dt.date.today()


@dataclass(frozen=True)
class Who:
    """The logged-in account, as the pages need it."""

    id: int
    name: str
    role: str
    unit_id: str | None

    @property
    def label(self) -> str:
        """The name written into the ledger history: account and role."""
        return f"{self.name}（{ROLES[self.role]}）"


class LoginRequired(Exception):
    """No valid session: the page answers with a redirect to the login page."""


templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["zh_date"] = lambda d: zh_date(d) or "—"
templates.env.globals["ROLES"] = ROLES


def settings(request: Request) -> Settings:
    return request.app.state.settings


def current(request: Request) -> Who | None:
    """The account of the session, re-read from the database (a disabled or deleted account is logged out)."""
    account_id = request.session.get("account")
    if account_id is None:
        return None
    with settings(request).ledger.read() as session:
        account = session.get(Account, account_id)
        if account is None or not account.active:
            request.session.clear()
            return None
        return Who(account.id, account.name, account.role, account.unit_id)


def require(request: Request, *roles: str) -> Who:
    """The logged-in account when its role is one of ``roles``; otherwise to the login page, or 403."""
    who = current(request)
    if who is None:
        raise LoginRequired
    if roles and who.role not in roles:
        raise HTTPException(403, "您的账号无权访问此页面")
    return who


async def posted(request: Request) -> FormData:
    """The posted form, after its CSRF token is checked (403 when missing or wrong)."""
    form = await request.form(max_files=1, max_fields=40, max_part_size=64 * 1024)
    if not csrf_ok(request.session, form.get("csrf_token")):
        raise HTTPException(403, "表单已过期或来源不明（安全校验未通过），请刷新页面后重新提交")
    return form


def form_page(*roles: str, anonymous: bool = False) -> Callable[[Callable[..., Response]], Callable[[Request], Any]]:
    """A POST endpoint: role check, then CSRF check, then ``handler(request, who, form)`` in a worker thread
    (database, Argon2 and checks never block the event loop)."""
    def decorate(handler: Callable[..., Response]) -> Callable[[Request], Any]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            who = None if anonymous else await run_in_threadpool(require, request, *roles)
            form = await posted(request)
            try:
                return await run_in_threadpool(handler, request, who, form)
            finally:
                await form.close()
        return endpoint
    return decorate


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session.setdefault("flash", []).append([kind, message])


def render(request: Request, template: str, code: int = 200, **context: Any) -> Response:
    who = context.pop("who", None)
    session = request.session if "session" in request.scope else {}
    context.update(who=who, csrf=csrf_token(session), flashes=session.pop("flash", []),
                   today=settings(request).today())
    return templates.TemplateResponse(request, template, context, status_code=code)


def download(data: bytes, filename: str, media: str) -> Response:
    """An attachment with a Chinese file name (RFC 5987) and an ASCII fallback."""
    ascii_name = "download" + Path(filename).suffix
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media, headers={"content-disposition": disposition})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def home(request: Request) -> Response:
    who = current(request)
    if who is None:
        return RedirectResponse("/login", 303)
    return RedirectResponse({UNIT: "/unit", INSPECTOR: "/inspect", ADMIN: "/admin"}[who.role], 303)


async def _login_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/login", 303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    titles = {403: "无权访问", 404: "页面不存在", 405: "请求方式不正确", 413: "上传的内容过大", 429: "尝试次数过多"}
    detail = exc.detail if exc.detail and not exc.detail.isascii() else titles.get(exc.status_code, "请求有误")
    return _error_page(request, exc.status_code, titles.get(exc.status_code, "请求有误"), detail)


async def _too_large(request: Request, exc: Exception) -> Response:
    return _error_page(request, 413, "上传的内容过大", f"上传文件不能超过{MAX_UPLOAD // 1024 // 1024}MB，请检查后重新上传")


async def _server_error(request: Request, exc: Exception) -> Response:
    LOG.exception("页面出错：%s", request.url.path, exc_info=exc)
    return _error_page(request, 500, "系统内部错误", "处理请求时出错，已记录在服务器日志中。请稍后重试，或联系管理员。")


def _error_page(request: Request, status: int, title: str, detail: str) -> Response:
    try:
        who = current(request)
    except Exception:  # noqa: BLE001 - the error page must render even when the database does not answer
        who = None
    return render(request, "error.html", status, who=who, title=title, detail=detail)


def create_app(config: Settings) -> Starlette:
    """The application on ``config``'s ledger; every page is in one of the ``pages_*`` modules."""
    from compliance.web import pages_admin, pages_inspector, pages_unit

    routes = [
        Route("/", home),
        *pages_unit.ROUTES,
        *pages_inspector.ROUTES,
        *pages_admin.ROUTES,
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    middleware = [
        Middleware(Guard, max_body=MAX_UPLOAD + 64 * 1024),
        Middleware(SessionMiddleware, secret_key=config.secret, session_cookie="compliance_session",
                   max_age=int(config.session_hours * 3600), same_site="strict", https_only=config.https_only),
    ]
    handlers = {LoginRequired: _login_required, HTTPException: _http_error, BodyTooLarge: _too_large,
                Exception: _server_error}
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)  # type: ignore[arg-type]
    app.state.settings = config
    return app
