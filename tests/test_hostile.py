"""Hostile content: files made to hurt the machine that reads them, and names made to escape.

Already held elsewhere, not repeated here: YAML python tags, alias bombs and oversized
files (tests/test_loader.py), zip bombs with honest sizes, far-away cells and too many
rows (tests/test_workbook_errors.py).

Here: XML bombs and external entities inside a workbook; zip members that lie about their
size; unit names and rounds carrying ``../``, ``<script>`` and ``=`` formulas through
template, import, report and ranking; and WeasyPrint fetching nothing but our own assets.
"""

from __future__ import annotations

import http.server
import io
import shutil
import struct
import subprocess
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_workbook_support import WENFENG, checklist, info_rows
from typer.testing import CliRunner

from compliance.catalog import Catalog
from compliance.cli import app
from compliance.workbook import read_workbook, source

DATA = Path(__file__).resolve().parent / "data"
SEARCH = ["--standards", str(DATA), "--rubrics", str(DATA)]
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(standard_dirs=[DATA], rubric_dirs=[DATA])


@pytest.fixture(scope="module")
def rubric(catalog):
    return catalog.rubric("mini-2024-street")


@pytest.fixture(scope="module")
def good(tmp_path_factory, rubric) -> Path:
    """A good checklist written by xlsxwriter: it has a sharedStrings.xml part."""
    return checklist(tmp_path_factory.mktemp("good") / "good.xlsx", rubric)


def run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "内部错误" not in result.output, result.output
    return result.exit_code, result.output


def rewritten(good: Path, path: Path, changes: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, changes.get(info.filename, src.read(info.filename)))
    return path


def refused_quickly(path: Path, catalog, seconds: float = 2.0) -> str:
    start = time.perf_counter()
    pairs, findings = read_workbook(path, catalog)
    assert time.perf_counter() - start < seconds
    assert pairs == [] and [f for f in findings if f.is_error], findings
    return "\n".join(str(f) for f in findings)


# --- XML bombs and external entities --------------------------------------------------------

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)  # &lol9; expands to 10⁹ "lol"s: 3 GB


def with_doctype(xml: bytes, doctype: bytes, entity: bytes, before: bytes) -> bytes:
    """``xml`` with ``doctype`` in place of its declaration and ``entity`` used before ``before``."""
    assert XML_DECLARATION in xml and before in xml
    return xml.replace(XML_DECLARATION, doctype).replace(before, before + entity, 1)


def test_billion_laughs_in_shared_strings_is_refused_at_once(tmp_path, good, catalog):
    with zipfile.ZipFile(good) as z:
        strings = z.read("xl/sharedStrings.xml")
    bomb = with_doctype(strings, LAUGHS, b"&lol9;", b"<t>")
    text = refused_quickly(rewritten(good, tmp_path / "laughs.xlsx", {"xl/sharedStrings.xml": bomb}), catalog)
    assert str(tmp_path / "laughs.xlsx") in text and "已损坏" in text


def test_billion_laughs_in_a_sheet_is_refused_at_once(tmp_path, good, catalog):
    with zipfile.ZipFile(good) as z:
        sheet = z.read("xl/worksheets/sheet2.xml")  # 检查表
    cell = b'<c r="Z1" t="inlineStr"><is><t>&lol9;</t></is></c>'
    bomb = with_doctype(sheet, LAUGHS, b"", b"<worksheet").replace(b"</row>", cell + b"</row>", 1)
    refused_quickly(rewritten(good, tmp_path / "sheet.xlsx", {"xl/worksheets/sheet2.xml": bomb}), catalog)


def test_billion_laughs_in_the_workbook_part_is_refused_before_calamine(tmp_path, good, catalog):
    with zipfile.ZipFile(good) as z:
        book = z.read("xl/workbook.xml")
    bomb = with_doctype(book, LAUGHS, b"", b"<sheets>").replace(b'name="', b'name="&lol9;', 1)
    text = refused_quickly(rewritten(good, tmp_path / "book.xlsx", {"xl/workbook.xml": bomb}), catalog)
    assert "已损坏" in text


def test_an_external_entity_is_never_read(tmp_path, good, catalog):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-0451", encoding="utf-8")
    with zipfile.ZipFile(good) as z:
        strings = z.read("xl/sharedStrings.xml")
        book = z.read("xl/workbook.xml")
    doctype = f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
    for member, data in {
        "xl/sharedStrings.xml": with_doctype(strings, doctype, b"&xxe;", b"<t>"),
        "xl/workbook.xml": with_doctype(book, doctype, b"", b"<sheets>").replace(
            b'name="', b'name="&xxe;', 1
        ),
    }.items():
        path = rewritten(good, tmp_path / "xxe.xlsx", {member: data})
        assert "TOP-SECRET" not in refused_quickly(path, catalog)
        code, output = run("score", path, *SEARCH)
        assert code == 1 and "TOP-SECRET" not in output


# --- zip members that lie about their size --------------------------------------------------


def lying_member(good: Path, path: Path, member: str, real_size: int, declared: int = 1000) -> Path:
    """``good`` with ``member`` replaced by ``real_size`` bytes of spaces (compressed ~1000:1)
    whose local header and central directory declare only ``declared`` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != member:
                out.writestr(info.filename, src.read(info.filename))
                continue
            with out.open(member, "w", force_zip64=False) as stream:
                chunk = b" " * (1 << 20)
                for _ in range(real_size >> 20):
                    stream.write(chunk)
    raw = bytearray(buffer.getvalue())
    name = member.encode()
    for signature, size_at, name_at, length_at in ((b"PK\x03\x04", 22, 30, 26), (b"PK\x01\x02", 24, 46, 28)):
        at = raw.find(signature)
        while at != -1:
            (length,) = struct.unpack_from("<H", raw, at + length_at)
            if raw[at + name_at : at + name_at + length] == name:
                struct.pack_into("<I", raw, at + size_at, declared)
            at = raw.find(signature, at + 4)
    path.write_bytes(bytes(raw))
    return path


def test_shared_strings_bigger_than_declared_are_refused_without_inflating_them(tmp_path, good, catalog):
    path = lying_member(good, tmp_path / "liar.xlsx", "xl/sharedStrings.xml", 32 << 20)
    assert path.stat().st_size < 200_000  # 32 MB of spaces in a file of ~40 KB
    tracemalloc.start()
    try:
        refused_quickly(path, catalog)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, f"peak {peak >> 20} MB"


@pytest.mark.parametrize("member", ["xl/workbook.xml", "xl/worksheets/sheet2.xml"])
def test_a_part_bigger_than_declared_is_refused_without_inflating_it(tmp_path, good, catalog, member):
    path = lying_member(good, tmp_path / "liar.xlsx", member, 32 << 20)
    tracemalloc.start()
    try:
        refused_quickly(path, catalog)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, f"peak {peak >> 20} MB: the member was inflated past its declared size"


def test_too_many_members_is_refused(tmp_path, good, catalog, monkeypatch):
    monkeypatch.setattr(source, "MAX_MEMBERS", 20)
    extra = {f"xl/media/padding{i}.bin": b"" for i in range(30)}
    with zipfile.ZipFile(good) as z:
        members = {n: z.read(n) for n in z.namelist()}
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        for name, data in {**members, **extra}.items():
            out.writestr(name, data)
    assert "部件" in refused_quickly(path, catalog)


# --- names that try to escape: files, HTML, spreadsheets -------------------------------------

EVIL_NAME = '=HYPERLINK("http://evil.example/","点我")<script>alert(1)</script>../../逃逸'
EVIL_ROUND = "../../2024<b>年度</b>"  # refused at import (SPEC §2.5); a legacy store could hold it
ROUND = "2024年度"
EVIL_INSPECTOR = "=1+1"


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory, rubric):
    """A store holding one assessment of a unit whose name and inspector are hostile."""
    folder = tmp_path_factory.mktemp("hostile")
    info = info_rows(rubric, 单位名称=EVIL_NAME, 评估轮次=ROUND, 检查人员=EVIL_INSPECTOR)
    workbook = checklist(folder / "evil.xlsx", rubric, info=info)
    db = folder / "h.db"
    code, output = run("import", workbook, "--db", db, *SEARCH)
    assert code == 0, output
    return folder, db


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_a_hostile_round_is_refused_at_import_with_its_cell(tmp_path, rubric):
    info = info_rows(rubric, 评估轮次=EVIL_ROUND)
    workbook = checklist(tmp_path / "evil.xlsx", rubric, info=info)
    code, output = run("import", workbook, "--db", tmp_path / "h.db", *SEARCH)
    assert code == 1 and f"{workbook}!基本信息!B" in output and "无法识别" in output, output
    assert not (tmp_path / "h.db").exists() or "2024<b>" not in (tmp_path / "h.db").read_bytes().decode(
        "latin-1"
    )


def test_outputs_are_named_from_codes_inside_the_output_folder(hostile_store):
    folder, db = hostile_store
    before = files_under(folder)
    out = folder / "out"
    for args in (["rank", "-o", out], ["report", "--all", "-o", out]):
        code, output = run(*args, "--round", ROUND, "--db", db)
        assert code == 0, output
    written = files_under(folder) - before
    assert written and all(out in p.parents for p in written), written
    for path in written:
        assert ".." not in path.name and "<" not in path.name and ">" not in path.name, path
    assert any(p.name.startswith(WENFENG.code) for p in written if p.suffix == ".pdf")


def test_markup_in_names_is_escaped_in_every_report(hostile_store, rubric):
    from compliance.reports import ranking_report, unit_report
    from compliance.scoring import rank
    from compliance.store import Store

    _, db = hostile_store
    with Store.open(str(db)) as store:
        (card,) = store.cards("2024")
    documents = [
        unit_report(card, rubric),
        ranking_report(rank([card]), round=EVIL_ROUND, kind="考评", rubrics=[rubric]),
    ]
    for document in documents:
        assert "<script>" not in document.html and "<b>年度" not in document.html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document.html
        assert "/" not in document.name and ".." not in document.name


def test_the_ranking_spreadsheet_never_holds_a_formula(hostile_store):
    folder, db = hostile_store
    out = folder / "xlsx"
    code, output = run("rank", "-o", out, "--round", ROUND, "--db", db)
    assert code == 0, output
    (path,) = out.glob("*.xlsx")
    book = openpyxl.load_workbook(path)
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells), [c.coordinate for c in cells if c.data_type == "f"]
    names = [c for c in cells if c.value == EVIL_NAME]
    assert names and all(c.data_type == "s" for c in names)
    with zipfile.ZipFile(path) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_a_template_keeps_a_formula_looking_unit_name_as_text(tmp_path):
    units = tmp_path / "units.yaml"
    units.write_text(
        f"units:\n  - {{code: '320602001', name: '{EVIL_NAME}', type: 街道综合执法队, city: 南通市, district: 崇川区}}\n",
        encoding="utf-8",
    )
    path = tmp_path / "t.xlsx"
    code, output = run(
        "template",
        "--rubric",
        "mini-2024-street",
        "--units",
        units,
        "--unit",
        "320602001",
        "--round",
        ROUND,
        "-o",
        path,
        *SEARCH,
    )
    assert code == 0, output
    ws = openpyxl.load_workbook(path)["基本信息"]
    (cell,) = [c for row in ws.iter_rows() for c in row if c.value == EVIL_NAME]
    assert cell.data_type == "s"


# --- WeasyPrint fetches only the package's own assets ---------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A local HTTP server that records every request made to it."""
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.com/x.css",
        "file:///etc/passwd",
        "ftp://example.com/x",
        "compliance-asset:../../../etc/passwd",
        "compliance-asset:/etc/passwd",
        "compliance-asset:render.py",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_the_fetcher_refuses_everything_but_our_assets(url):
    from compliance.reports.render import url_fetcher

    with pytest.raises(Exception) as info:
        url_fetcher().fetch(url)
    assert not isinstance(info.value, AssertionError)


def test_the_fetcher_serves_our_stylesheet_and_inline_images():
    from compliance.reports.render import url_fetcher

    fetcher = url_fetcher()
    assert fetcher.fetch("compliance-asset:report.css") is not None
    assert fetcher.fetch("data:image/png;base64,iVBORw0KGgo=") is not None


def test_a_pdf_of_hostile_html_fetches_nothing(tmp_path, listener):
    from compliance.reports.render import write_pdf

    base, requests = listener
    secret = tmp_path / "secret.css"
    secret.write_text("body::after { content: 'TOP-SECRET-0451' }", encoding="utf-8")
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/evil.css">
      <link rel="stylesheet" href="file://{secret}">
      <link rel="stylesheet" href="file:///etc/passwd">
      <style>@import url("{base}/import.css"); body {{ background: url("{base}/bg.png") }}</style>
      </head><body>
      <p>正文</p>
      <img src="{base}/x.png"><img src="file:///etc/passwd"><img src="file://{secret}">
      <object data="{base}/object"></object><iframe src="{base}/frame"></iframe>
      <svg><image href="{base}/svg.png"/></svg>
      </body></html>"""
    path = write_pdf(html, tmp_path / "hostile.pdf")
    assert path.is_file()
    assert requests == []
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "正文" in text and "TOP-SECRET" not in text and "root:" not in text
