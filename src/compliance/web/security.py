"""The web app's guards: who is logged in, what their role may see, CSRF and Origin
checks, a body-size limit, and the response headers every page carries."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from compliance.store.accounts import Role, User

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# Form posts that need no token: logging in (no session yet) and logging out (harmless);
# both still pass the Origin check.
NO_TOKEN = {"/login", "/logout"}

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class NotLoggedIn(HTTPException):
    def __init__(self) -> None:
        super().__init__(401, "未登录或登录已过期，请先登录")


class Forbidden(HTTPException):
    """403 that says nothing about what is behind the URL."""

    def __init__(self) -> None:
        super().__init__(403, "无权访问")


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


# --- sessions -----------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def log_in(request: Request, user: User) -> None:
    request.session.clear()  # nothing of an earlier session survives a login
    request.session.update({"user": user.name, "stamp": user.stamp, "csrf": secrets.token_urlsafe(32)})


async def current_user(request: Request) -> User | None:
    """The logged-in, still active user whose password has not changed since the login."""
    if "user_cache" in request.scope:
        return request.scope["user_cache"]
    name = request.session.get("user")
    user = None
    if isinstance(name, str):
        found = await run_in_threadpool(request.app.state.web.accounts.get, name)
        if found is not None and found.active and found.stamp == request.session.get("stamp"):
            user = found
        else:
            request.session.pop("user", None)
            request.session.pop("stamp", None)
    request.scope["user_cache"] = user
    return user


async def require(request: Request, *roles: Role) -> User:
    """The logged-in user, who must have one of ``roles`` (any role when none are given)."""
    user = await current_user(request)
    if user is None:
        raise NotLoggedIn()
    if roles and user.role not in roles:
        raise Forbidden()
    return user


STAFF = (Role.ADMIN, Role.INSPECTOR)


def may_see(user: User, unit_code: str) -> bool:
    return user.is_staff or user.unit_code == unit_code


def check_unit(user: User, unit_code: str) -> None:
    if not may_see(user, unit_code):
        raise Forbidden()


async def check_csrf(request: Request, form=None) -> None:
    """Form posts carry the session's token (a field, or the X-CSRF-Token header).

    A request that asks for JSON is a script or the page's own fetch: it has no form to
    carry a token, and the Origin check (browsers always send Origin on a cross-site POST)
    plus the SameSite cookie stand for it."""
    if request.url.path in NO_TOKEN or "application/json" in request.headers.get("accept", ""):
        return
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER) or (form.get(CSRF_FIELD) if form is not None else None)
    if not expected or not isinstance(given, str) or not hmac.compare_digest(expected, given):
        raise HTTPException(403, "表单已失效（缺少或错误的安全令牌）：请刷新页面后重试")


# --- ASGI middleware ------------------------------------------------------------------------


def _same_origin(value: str, host: str) -> bool:
    if value == "null":
        return False
    try:
        return urlsplit(value).netloc.lower() == host.lower()
    except ValueError:
        return False


class OriginCheck:
    """A state-changing request whose Origin (or, without one, Referer) is not this app's
    own host is refused with 403. Requests with neither header come from scripts, not
    browsers: a browser always sends Origin on a cross-site POST."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE:
            headers = Headers(scope=scope)
            host = headers.get("host", "")
            origin = headers.get("origin")
            referer = headers.get("referer")
            claimed = origin if origin is not None else referer
            if claimed is not None and not _same_origin(claimed, host):
                response = PlainTextResponse("请求来源不是本系统，已拒绝（Origin 校验失败）", status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuses a request body over ``limit`` bytes with 413: by its Content-Length before
    reading, and by counting while reading when it has none (chunked)."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        megabytes = f"{self.limit / 1024 / 1024:g}"
        refusal = PlainTextResponse(f"上传内容过大：一次至多 {megabytes} MB，请分批上传", status_code=413)
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await refusal(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge()
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await refusal(scope, receive, send)


class SecurityHeaders:
    """CSP (everything from this app, nothing inline), no framing, no sniffing; pages and
    data of a logged-in user are not cached."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def login_redirect_target(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")


def safe_next(value: str | None) -> str:
    """Only a path of this site: never ``//elsewhere`` or ``https://elsewhere``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value
