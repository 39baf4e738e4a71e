"""The Starlette application: routes, middleware, error pages.

    app = create_app(WebConfig(db="reports/demo/compliance.db"))

Every handler is async and does its store and rendering work in the thread pool
(``blocking``), so one slow PDF never stalls the other requests of a worker.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from contextlib import asynccontextmanager
from importlib import resources
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool as blocking
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from compliance.findings import ComplianceError, FindingsError
from compliance.rounds import RoundError, canonical
from compliance.scoring import Kind, rank, rank_json
from compliance.store.accounts import Action, Role, check_new_password
from compliance.web import dashboards, downloads
from compliance.web.config import WebConfig
from compliance.web.downloads import NotFound
from compliance.web.render import attachment, error, page
from compliance.web.security import (
    STAFF,
    BodyLimit,
    Forbidden,
    NotLoggedIn,
    OriginCheck,
    SecurityHeaders,
    check_csrf,
    check_unit,
    current_user,
    log_in,
    login_redirect_target,
    require,
    safe_next,
    wants_json,
)
from compliance.web.state import AppState
from compliance.web.upload import receive

THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 20


def _state(request: Request) -> AppState:
    return request.app.state.web


def _remote(request: Request) -> str | None:
    return request.client.host if request.client else None


def _kind(value: str | None, default: Kind = Kind.AUDIT) -> Kind:
    if not value:
        return default
    try:
        return Kind(value)
    except ValueError:
        raise HTTPException(400, f"评估类型“{value[:20]}”无效：应为 自评、考评 或 复查") from None


def _round(value: str | None) -> str:
    """A round as typed, stored under its canonical label when it is a recognised form."""
    if not value:
        raise HTTPException(400, "缺少评估轮次（round）")
    try:
        return canonical(value)
    except RoundError:
        return value


# --- login ------------------------------------------------------------------------------------


async def login_form(request: Request) -> Response:
    user = await current_user(request)
    if user is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), 303)
    return page(request, "login.html", {"next": safe_next(request.query_params.get("next"))})


async def login(request: Request) -> Response:
    state = _state(request)
    async with request.form(max_files=0, max_fields=10) as form:
        await check_csrf(request, form)
        username = str(form.get("username") or "").strip()[:64]
        password = str(form.get("password") or "")
        target = safe_next(str(form.get("next") or ""))
    remote = _remote(request)
    by_name, by_address = await blocking(state.accounts.failures, username, remote, within=THROTTLE_WINDOW)
    if by_name >= MAX_FAILURES_PER_NAME or by_address >= MAX_FAILURES_PER_ADDRESS:
        await blocking(state.accounts.record, Action.LOGIN_REFUSED, username, ok=False, remote=remote)
        message = f"登录失败次数过多，已暂停登录：请 {THROTTLE_WINDOW.seconds // 60} 分钟后再试"
        return _login_refused(request, 429, message, username, target)
    user = await blocking(state.accounts.check_password, username, password) if username else None
    await blocking(state.accounts.record, Action.LOGIN, username, ok=user is not None, remote=remote)
    if user is None:
        return _login_refused(request, 401, "账号或密码错误，或账号已停用", username, target)
    log_in(request, user)
    if wants_json(request):
        return JSONResponse({"user": user.name, "role": str(user.role), "unit": user.unit_code})
    return RedirectResponse(target, 303)


def _login_refused(request: Request, status: int, message: str, username: str, target: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    context = {"message": message, "username": username, "next": target}
    return page(request, "login.html", context, status=status)


async def logout(request: Request) -> Response:
    user = await current_user(request)
    if user is not None:
        await blocking(
            _state(request).accounts.record, Action.LOGOUT, user.name, ok=True, remote=_remote(request)
        )
    request.session.clear()
    if wants_json(request):
        return JSONResponse({"logged_out": True})
    return RedirectResponse("/login", 303)


# --- pages ------------------------------------------------------------------------------------


async def home(request: Request) -> Response:
    user = await require(request)
    if user.role is Role.SQUAD:
        return RedirectResponse(f"/units/{quote(user.unit_code or '', safe='')}", 303)
    context = await blocking(dashboards.overview, _state(request))
    return page(request, "overview.html", context, user=user)


async def rounds_index(request: Request) -> Response:
    user = await require(request, *STAFF)
    state = _state(request)
    if request.query_params.get("round"):  # the round picker of the ranking page
        kind = _kind(request.query_params.get("kind"))
        target = f"/rounds/{quote(_round(request.query_params['round']), safe='')}?kind={quote(str(kind))}"
        return RedirectResponse(target, 303)
    rounds = await blocking(dashboards.audited_rounds, state)
    if not rounds:
        return page(request, "overview.html", {"round": None}, user=user)
    return RedirectResponse(f"/rounds/{quote(rounds[-1], safe='')}", 303)


async def ranking_page(request: Request) -> Response:
    user = await require(request, *STAFF)
    state = _state(request)
    round_ = _round(request.path_params["round"])
    kind = _kind(request.query_params.get("kind"))
    context = dict(await blocking(dashboards.ranking, state, round_, kind))  # the memo's copy stays as is
    context["choices"] = await blocking(dashboards.round_choices, state)
    context["kinds"] = [str(k) for k in Kind]
    return page(request, "ranking.html", context, user=user)


async def ranking_download(request: Request) -> Response:
    await require(request, *STAFF)
    round_ = _round(request.path_params["round"])
    kind = _kind(request.query_params.get("kind"))
    pdf, xlsx = await blocking(downloads.ranking_files, _state(request), round_, kind)
    path = pdf if request.path_params["suffix"] == "pdf" else xlsx
    return FileResponse(path, headers=attachment(path.name))


async def progress_page(request: Request) -> Response:
    user = await require(request, *STAFF)
    state = _state(request)
    if state.targets is None:
        return page(request, "progress.html", {"missing": True}, user=user)
    context = await blocking(dashboards.progress, state)
    return page(request, "progress.html", context, user=user)


async def progress_download(request: Request) -> Response:
    await require(request, *STAFF)
    path, name = await blocking(downloads.progress_pdf, _state(request))
    return FileResponse(path, headers=attachment(name), media_type="application/pdf")


async def units_index(request: Request) -> Response:
    user = await require(request)
    if user.role is Role.SQUAD:
        return RedirectResponse(f"/units/{quote(user.unit_code or '', safe='')}", 303)
    units = await blocking(_state(request).roster)
    return page(request, "units.html", {"units": units}, user=user)


async def unit_page(request: Request) -> Response:
    user = await require(request)
    code = request.path_params["code"]
    check_unit(user, code)
    state = _state(request)
    found = await blocking(dashboards.unit_page, state, code)
    if found is None:
        raise HTTPException(404, f"没有单位编码为 {code} 的单位")
    context = dict(found)  # the memo's copy stays as is
    context["choices"] = await blocking(dashboards.round_choices, state)
    context["kinds"] = [str(Kind.SELF)] if user.role is Role.SQUAD else [str(k) for k in Kind]
    return page(request, "unit.html", context, user=user)


async def unit_report(request: Request) -> Response:
    """``GET /reports/ROUND/CODE.pdf``: the per-unit report (考评 unless ``?kind=``)."""
    user = await require(request)
    code = request.path_params["code"]
    check_unit(user, code)
    round_ = _round(request.path_params["round"])
    state = _state(request)
    if request.query_params.get("kind"):
        kind = _kind(request.query_params.get("kind"))
    else:  # the audit, else whatever the unit has in that round
        kinds = [Kind.AUDIT, Kind.RECHECK, Kind.SELF]
        found = [k for k in kinds if await blocking(state.store.card, code, round_, k)]
        kind = found[0] if found else Kind.AUDIT
    path, name = await blocking(downloads.unit_pdf, state, round_, code, kind)
    return FileResponse(path, headers=attachment(name), media_type="application/pdf")


async def templates_page(request: Request) -> Response:
    user = await require(request)
    state = _state(request)
    units = await blocking(state.roster)
    if user.role is Role.SQUAD:
        units = [u for u in units if u.code == user.unit_code]
    kinds = [str(Kind.SELF)] if user.role is Role.SQUAD else [str(k) for k in Kind]
    choices = await blocking(dashboards.round_choices, state)
    context = {"units": units, "kinds": kinds, "choices": choices, "unit": request.query_params.get("unit")}
    return page(request, "templates.html", context, user=user)


async def template_download(request: Request) -> Response:
    """``GET /template?unit=CODE&round=R&kind=K``: the blank checklist for one unit."""
    user = await require(request)
    code = request.query_params.get("unit") or ""
    check_unit(user, code)
    kind = _kind(request.query_params.get("kind"), Kind.SELF if user.role is Role.SQUAD else Kind.AUDIT)
    if user.role is Role.SQUAD and kind is not Kind.SELF:
        raise Forbidden()
    try:
        round_ = canonical(request.query_params.get("round") or "")
    except RoundError as exc:
        raise HTTPException(400, str(exc)) from None
    state = _state(request)
    unit = next((u for u in await blocking(state.roster) if u.code == code), None)
    if unit is None:
        raise HTTPException(404, f"没有单位编码为 {code} 的单位")
    content, name = await blocking(downloads.blank_workbook, state, unit, round_, kind)
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(content, media_type=media, headers=attachment(name))


async def upload_page(request: Request) -> Response:
    user = await require(request)
    return page(
        request, "upload.html", {"limit_mb": _state(request).config.max_upload_bytes // 2**20}, user=user
    )


async def upload(request: Request) -> Response:
    """``POST /upload`` (multipart field ``files``): findings, or the stored assessments."""
    user = await require(request)
    state = _state(request)
    files = []
    async with request.form(max_files=state.config.max_files, max_fields=10) as form:
        await check_csrf(request, form)
        for item in form.getlist("files"):
            if hasattr(item, "read"):
                files.append((item.filename, await item.read()))
        replace = form.get("replace") in ("1", "on", "true")
    result = await blocking(receive, state, user, files, replace=replace, remote=_remote(request))
    if wants_json(request):
        return JSONResponse(result.to_json(), status_code=result.status_code)
    return page(
        request,
        "upload.html",
        {"result": result, "limit_mb": state.config.max_upload_bytes // 2**20},
        user=user,
        status=result.status_code,
    )


# --- account management (管理员) -------------------------------------------------------------------


async def users_page(request: Request, *, message: str | None = None, status: int = 200) -> Response:
    user = await require(request, Role.ADMIN)
    state = _state(request)
    users = await blocking(state.accounts.all)
    units = await blocking(state.roster)
    context = {"users": users, "units": units, "roles": [str(r) for r in Role], "message": message}
    return page(request, "users.html", context, user=user, status=status)


async def users_change(request: Request) -> Response:
    admin = await require(request, Role.ADMIN)
    state = _state(request)
    async with request.form(max_files=0, max_fields=20) as form:
        await check_csrf(request, form)
        fields = {k: str(v) for k, v in form.items()}
    op = fields.get("op")
    name = fields.get("name", "")
    try:
        if op == "add":
            if fields.get("password") != fields.get("password2"):
                raise ComplianceError("两次输入的密码不一致")
            role = Role(fields.get("role")) if fields.get("role") in set(Role) else None
            if role is None:
                raise ComplianceError(f"角色应为 {'、'.join(Role)} 之一")
            created = await blocking(
                state.accounts.add,
                name,
                role,
                fields.get("password", ""),
                unit_code=fields.get("unit") or None,
            )
            done = f"已创建账号“{created.name}”（{created.role}）"
        elif op == "password":
            if fields.get("password") != fields.get("password2"):
                raise ComplianceError("两次输入的密码不一致")
            check_new_password(fields.get("password", ""))
            await blocking(state.accounts.set_password, name, fields.get("password", ""))
            done = f"已重设“{name}”的密码"
        elif op in ("disable", "enable"):
            if name == admin.name:
                raise ComplianceError("不能停用自己的账号")
            await blocking(state.accounts.set_active, name, op == "enable")
            done = f"已{'启用' if op == 'enable' else '停用'}账号“{name}”"
        else:
            raise ComplianceError("未知的操作")
    except ComplianceError as exc:
        return await users_page(request, message=f"错误：{exc}", status=400)
    await blocking(
        state.accounts.record, Action.ACCOUNT, admin.name, ok=True, detail=done, remote=_remote(request)
    )
    return await users_page(request, message=done)


async def audit_page(request: Request) -> Response:
    user = await require(request, Role.ADMIN)
    events = await blocking(_state(request).accounts.events, 300)
    return page(request, "audit.html", {"events": events}, user=user)


# --- the JSON API -----------------------------------------------------------------------------


async def api_rank(request: Request) -> Response:
    """``GET /api/rank?round=R&kind=K``: the list ``compliance rank --json`` prints, only
    the caller's own unit for a squad."""
    user = await require(request)
    round_ = _round(request.query_params.get("round"))
    kind = _kind(request.query_params.get("kind"))
    state = _state(request)
    cards = await blocking(state.store.cards, round_, kind)
    if not cards:
        raise HTTPException(404, f"历史库中没有 {round_} 轮的{kind}记录")
    rows = rank_json(rank(cards))
    if user.role is Role.SQUAD:
        rows = [row for row in rows if row["unit"]["code"] == user.unit_code]
    return JSONResponse(rows)


async def api_assessments(request: Request) -> Response:
    """``GET /api/units/CODE/assessments``: every current assessment of the unit as the
    object ``compliance score --json`` prints, rounds in order."""
    user = await require(request)
    code = request.path_params["code"]
    check_unit(user, code)
    cards = await blocking(dashboards.unit_cards, _state(request), code)
    if not cards and user.is_staff:
        raise HTTPException(404, f"历史库中没有单位 {code} 的评估记录")
    return JSONResponse([c.to_json() for c in cards])


# --- errors -----------------------------------------------------------------------------------


# Starlette's own refusals of a multipart body, in Chinese.
_MULTIPART = [
    (re.compile(r"Too many files"), "一次上传的文件过多：至多 {} 个，请分批上传"),
    (re.compile(r"Too many fields"), "表单字段过多"),
    (re.compile(r"(Part exceeded|exceeded maximum size)", re.I), "表单中的某个字段过大"),
    (re.compile(r"(boundary|multipart|Did not find)", re.I), "上传内容不是有效的表单（multipart/form-data）"),
]


def _chinese_detail(request: Request, detail: str) -> str:
    for pattern, text in _MULTIPART:
        if pattern.search(detail):
            return text.format(_state(request).config.max_files)
    return detail


async def _http_error(request: Request, exc: HTTPException) -> Response:
    user = await current_user(request) if exc.status_code != 401 else None
    if isinstance(exc, NotLoggedIn) and request.method == "GET" and not wants_json(request):
        return RedirectResponse(login_redirect_target(request), 303)
    return error(request, exc.status_code, _chinese_detail(request, str(exc.detail)), user=user)


async def _known_error(request: Request, exc: ComplianceError) -> Response:
    status = 404 if isinstance(exc, NotFound) else 400
    text = "\n".join(str(f) for f in exc.findings) if isinstance(exc, FindingsError) else str(exc)
    return error(request, status, text, user=await current_user(request))


async def _internal_error(request: Request, exc: Exception) -> Response:
    return error(request, 500, f"内部错误（请把这条信息报告给维护者）：{type(exc).__name__}")


def create_app(config: WebConfig) -> Starlette:
    state = AppState.open(config)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        state.close()
        shutil.rmtree(state.cache, ignore_errors=True)

    static = StaticFiles(directory=str(resources.files("compliance.web") / "static"))
    routes = [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", home),
        Route("/rounds", rounds_index),
        Route("/rounds/{round}", ranking_page),
        Route("/rounds/{round}/ranking.{suffix:str}", ranking_download),
        Route("/progress", progress_page),
        Route("/progress.pdf", progress_download),
        Route("/units", units_index),
        Route("/units/{code}", unit_page),
        Route("/reports/{round}/{code}.pdf", unit_report),
        Route("/templates", templates_page),
        Route("/template", template_download),
        Route("/upload", upload_page, methods=["GET"]),
        Route("/upload", upload, methods=["POST"]),
        Route("/admin/users", users_page, methods=["GET"]),
        Route("/admin/users", users_change, methods=["POST"]),
        Route("/admin/audit", audit_page),
        Route("/api/rank", api_rank),
        Route("/api/units/{code}/assessments", api_assessments),
        Mount("/static", static, name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(BodyLimit, limit=config.max_upload_bytes),
        Middleware(OriginCheck),
        Middleware(
            SessionMiddleware,
            secret_key=state.secret(),
            session_cookie="compliance_session",
            max_age=config.session_hours * 3600,
            same_site="lax",
            https_only=config.secure_cookies,
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            HTTPException: _http_error,
            ComplianceError: _known_error,
            Exception: _internal_error,
        },
        lifespan=lifespan,
    )
    app.state.web = state
    return app


def from_environment() -> Starlette:
    """The factory each uvicorn worker calls (``compliance serve --workers N``)."""
    return create_app(WebConfig.from_env())


__all__ = ["create_app", "from_environment"]
