"""Jinja2 pages (autoescaped, the project's template engine) and error responses."""

from __future__ import annotations

from importlib import resources
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from compliance import __version__
from compliance.rounds import chinese
from compliance.store.accounts import Role, User
from compliance.web.security import csrf_token, wants_json

TEMPLATES = resources.files("compliance.web") / "templates"

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["chinese_round"] = chinese
_env.filters["q"] = lambda value: quote(str(value), safe="")


def nav(user: User | None) -> list[tuple[str, str]]:
    if user is None:
        return []
    if user.role is Role.SQUAD:
        return [
            (f"/units/{quote(user.unit_code or '', safe='')}", "本单位"),
            ("/templates", "空白检查表"),
            ("/upload", "上传自评表"),
        ]
    items = [
        ("/", "总览"),
        ("/rounds", "排名"),
        ("/progress", "达标进度"),
        ("/units", "单位"),
        ("/templates", "空白检查表"),
        ("/upload", "上传检查表"),
    ]
    if user.role is Role.ADMIN:
        items += [("/admin/users", "账号管理"), ("/admin/audit", "操作记录")]
    return items


def page(
    request: Request,
    template: str,
    context: dict | None = None,
    *,
    user: User | None = None,
    status: int = 200,
) -> HTMLResponse:
    values = {
        "request": request,
        "user": user,
        "nav": nav(user),
        "path": request.url.path,
        "csrf": csrf_token(request),
        "version": __version__,
        **(context or {}),
    }
    return HTMLResponse(_env.get_template(template).render(values), status_code=status)


def error(request: Request, status: int, message: str, *, user: User | None = None) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    return page(request, "error.html", {"status": status, "message": message}, user=user, status=status)


def attachment(name: str) -> dict[str, str]:
    """Content-Disposition for a download with a Chinese file name (RFC 6266 / 5987)."""
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return {"content-disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"}
