"""HTML → PDF: Jinja2 with autoescape, WeasyPrint with a fetcher that serves only our assets.

A rendered report is one self-contained HTML string (charts inline as ``data:`` URIs,
the stylesheet at ``compliance-asset:report.css``), so it can be hashed to skip
unchanged work and handed to a worker process as is.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from compliance import __version__
from compliance.findings import ComplianceError
from compliance.reports.fonts import cjk_font

ASSET_SCHEME = "compliance-asset:"
MANIFEST = ".compliance-reports.json"
_ASSET_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\.(css|svg|png)")
_ASSET_TYPES = {"css": "text/css", "svg": "image/svg+xml", "png": "image/png"}
_DATA_IMAGE = re.compile(r"data:image/(svg\+xml|png)[;,]")
_UNSAFE = re.compile(r"[^\w.-]+")


@cache
def environment() -> Environment:
    from compliance.reports.charts import chart_uri

    env = Environment(
        loader=PackageLoader("compliance.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals["chart"] = chart_uri  # a chart object → its inline SVG, drawn as the page is
    return env


def render_html(template: str, doc: object) -> str:
    """``template`` with the report view ``doc`` (a frozen dataclass) as ``doc``."""
    return environment().get_template(template).render(doc=doc)


def asset(name: str) -> bytes:
    """One of the package's own assets (``report.css``), by plain file name only."""
    if not _ASSET_NAME.fullmatch(name):
        raise ValueError(f"不是报告自带的资源：{name}")
    return (resources.files("compliance.reports") / "templates" / name).read_bytes()


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        """Serves ``compliance-asset:NAME`` and inline ``data:image/…``; refuses every other
        URL (http, https, file, ftp, …) so a report never reads the disk or the network."""

        def __init__(self):
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            if url.startswith(ASSET_SCHEME):
                name = url.removeprefix(ASSET_SCHEME)
                body = asset(name)
                return URLFetcherResponse(url, body, {"Content-Type": _ASSET_TYPES[name.rsplit(".", 1)[1]]})
            if _DATA_IMAGE.match(url):
                return super().fetch(url, headers)
            raise ValueError(f"报告只加载自带的样式和内嵌图表，已拒绝：{url[:100]}")

    return AssetFetcher


def url_fetcher():
    """A fresh restricted fetcher for one WeasyPrint document."""
    return _fetcher_class()()


def write_pdf(html: str, path: Path | str) -> Path:
    """Render ``html`` to ``path`` (written to a temporary name, then moved into place)."""
    from weasyprint import HTML

    cjk_font()  # a missing font is a clear error, never a PDF of boxes
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        HTML(string=html, url_fetcher=url_fetcher()).write_pdf(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


# --- output files -----------------------------------------------------------------------


def safe_name(*parts: str, suffix: str) -> str:
    """A file name from ids: letters (Chinese too), digits, ``_ . -`` only, no leading dot,
    so ``../x`` or ``<b>`` in a round id stays a harmless name inside the output folder."""
    cleaned = [_UNSAFE.sub("-", unicodedata.normalize("NFKC", p)).strip(".-_")[:60] or "_" for p in parts]
    return "_".join(cleaned) + suffix


def inside(out_dir: Path, name: str) -> Path:
    """``out_dir / name``, refusing any name that would land elsewhere."""
    base = Path(out_dir).resolve()
    path = (base / name).resolve()
    if path.parent != base:
        raise ComplianceError(f"输出文件名“{name}”不合法：只能写入输出文件夹 {base}")
    return path


@cache
def _renderer_key() -> bytes:
    """The stylesheet and the versions: a change to any of them renders everything again."""
    versions = f"compliance {__version__} / WeasyPrint {metadata.version('weasyprint')}"
    return hashlib.sha256(asset("report.css") + versions.encode()).digest()


def digest(html: str) -> str:
    """What a PDF depends on: its HTML, the stylesheet, and the renderer's version."""
    return hashlib.sha256(_renderer_key() + html.encode("utf-8")).hexdigest()


def _read_manifest(out_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_manifest(out_dir: Path, manifest: dict[str, str]) -> None:
    partial = out_dir / f"{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    os.replace(partial, out_dir / MANIFEST)


def _cores() -> int:
    """The CPUs this process may use (fewer than the machine's under taskset or cgroups)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _render_job(html: str, path: str) -> str:
    return str(write_pdf(html, path))


def render_pdfs(
    jobs: Sequence[tuple[str, str]],
    out_dir: Path,
    *,
    workers: int | None = None,
    force: bool = False,
    on_done: Callable[[Path, bool], None] | None = None,
) -> list[tuple[Path, bool]]:
    """Render ``(file name, html)`` pairs into ``out_dir``; returns ``(path, rendered)``.

    A PDF whose HTML digest matches the folder's manifest is kept as is. The rest are
    rendered in parallel, one worker process per core (``workers`` to choose); the HTML
    string is all a worker gets. ``on_done(path, rendered)`` is called as each report is
    finished or found unchanged (for a progress bar).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(out_dir)
    results: list[tuple[Path, bool]] = []
    todo: dict[str, tuple[str, str]] = {}  # path → (html, digest)
    for name, html in jobs:
        path = inside(out_dir, name)
        key = digest(html)
        fresh = not force and manifest.get(path.name) == key and path.is_file()
        results.append((path, not fresh))
        if not fresh:
            todo[str(path)] = (html, key)
        elif on_done:
            on_done(path, False)
    try:
        workers = min(workers or _cores(), len(todo))
        if workers <= 1:
            for path, (html, key) in todo.items():
                write_pdf(html, path)
                manifest[Path(path).name] = key
                if on_done:
                    on_done(Path(path), True)
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futures = {
                    pool.submit(_render_job, html, path): (path, key) for path, (html, key) in todo.items()
                }
                for future in as_completed(futures):
                    path, key = futures[future]
                    future.result()
                    manifest[Path(path).name] = key
                    if on_done:
                        on_done(Path(path), True)
    finally:
        if todo:
            _write_manifest(out_dir, manifest)
    return results
