"""The bad-input corpus: every case in ``data/bad_inputs/cases.yaml`` through the real CLI.

Each case writes its files (YAML text, or a workbook made from a real template and then
damaged), runs one command, and must end with the exit code it names (1 for bad input,
2 for wrong usage), a Chinese message naming the place (``file:line:col`` or
``file!sheet!cell``, or the option), and never a traceback or an "内部错误".

A new case is one entry in the YAML index; the vocabulary of damages is ``DAMAGES`` below.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from openpyxl.utils import get_column_letter
from test_workbook_support import BULK_HEADERS, WENFENG, build, fill, item_rows, template
from typer.testing import CliRunner

from compliance.catalog import Catalog
from compliance.cli import app

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
INDEX = DATA / "bad_inputs" / "cases.yaml"
CASES = yaml.safe_load(INDEX.read_text(encoding="utf-8"))["cases"]
CJK = re.compile(r"[\u4e00-\u9fff]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Three English words in a row outside parentheses (where an original message may be kept).
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")
PARENTHESES = re.compile(r"（[^（）]*）|\([^()]*\)|“[^“”]*”|`[^`]*`")
HANG_GUARD_S = 120
BULK_SHEET = "批量"
PLACEHOLDER = re.compile(r"\{(dir|data|good|db|units|wb|(?:item|info|bonus|bulk):[^{}]+)\}")


# --- the good things every case starts from ---------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> dict[str, Path]:
    """A filled checklist made from the real template, a bulk form, and a store holding one
    imported assessment."""
    folder = tmp_path_factory.mktemp("base")
    rubric = Catalog(standard_dirs=[DATA], rubric_dirs=[DATA]).rubric("mini-2024-street")
    good = fill(template(folder, rubric, name="good.xlsx"))
    bulk = folder / "bulk.xlsx"
    build(bulk, {BULK_SHEET: bulk_rows(rubric)})
    db = folder / "history.db"
    result = invoke(["import", str(good), "--db", str(db), *search()])
    assert result.exit_code == 0, result.output
    return {"good": good, "bulk": bulk, "db": db, "rubric": rubric}


def search() -> list[str]:
    return ["--standards", str(DATA), "--rubrics", str(DATA)]


def bulk_rows(rubric) -> list[list]:
    """A good bulk form: every item of the mini rubric for 文峰, plus its 评分细则."""
    headers = [*BULK_HEADERS, "评分细则"]
    rows = [headers]
    for line in item_rows(rubric)[1:]:
        values = dict(zip(item_rows(rubric)[0], line, strict=True))
        rows.append(
            [
                WENFENG.code,
                "考评",
                "2024年度",
                values["编号"],
                values["结论"],
                values["问题数"],
                values["实测值"],
                values["得分"],
                rubric.id,
            ]
        )
    return rows


# --- damages: how a case breaks a good workbook -------------------------------------------


def _header(ws, name: str) -> int:
    for cell in ws[1]:
        if cell.value == name:
            return cell.column
    raise KeyError(name)


def _row_of(ws, code: str, column: str = "编号") -> int:
    col = _header(ws, column)
    for row in range(2, ws.max_row + 1):
        if str(ws.cell(row, col).value) == code:
            return row
    raise KeyError(code)


def _info_row(ws, label: str) -> int:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == label:
                return cell.row
    raise KeyError(label)


def set_item(book, code, header, value):
    ws = book["检查表"]
    ws.cell(_row_of(ws, code), _header(ws, header)).value = value


def set_bonus(book, code, header, value):
    ws = book["加分项"]
    ws.cell(_row_of(ws, code), _header(ws, header)).value = value


def set_info(book, label, value):
    ws = book["基本信息"]
    ws.cell(_info_row(ws, label), 2).value = value


def set_cell(book, sheet, ref, value):
    book[sheet][ref] = value


def delete_sheet(book, name):
    del book[name]


def rename_sheet(book, old, new):
    book[old].title = new


def rename_header(book, old, new, sheet="检查表"):
    ws = book[sheet]
    ws.cell(1, _header(ws, old)).value = new


def append_row(book, values: dict, sheet="检查表"):
    ws = book[sheet]
    row = _row_of(ws, _last_code(ws)) + 1
    for header, value in values.items():
        ws.cell(row, _header(ws, header)).value = value


def _last_code(ws) -> str:
    col = _header(ws, "编号")
    codes = [ws.cell(r, col).value for r in range(2, ws.max_row + 1) if ws.cell(r, col).value]
    return str(codes[-1])


def delete_item(book, code):
    ws = book["检查表"]
    ws.delete_rows(_row_of(ws, code))


def fill_all(book, header, value):
    ws = book["检查表"]
    col = _header(ws, header)
    code = _header(ws, "编号")
    for row in range(2, _row_of(ws, _last_code(ws)) + 1):
        if ws.cell(row, code).value is None:
            continue  # a section heading, not an item
        for name in ("问题数", "实测值", "得分"):
            ws.cell(row, _header(ws, name)).value = None
        ws.cell(row, col).value = value


def _raw_bytes(kind: str, good: Path) -> bytes:
    data = good.read_bytes()
    return {
        "empty": b"",
        "text": "这不是工作簿，是改了扩展名的记事本文件。\n".encode(),
        "csv": "单位编码,评估类型,编号,结论\n320602001,考评,1.1.1,符合\n".encode("gbk"),
        "html": "<html><table><tr><td>编号</td><td>结论</td></tr></table></html>".encode(),
        "truncated": data[: len(data) // 2],
        "truncated_tail": data[:-200],
        "garbage": bytes((i * 73 + 41) % 256 for i in range(4096)),
        "garbage_zip": b"PK\x03\x04" + bytes((i * 31 + 7) % 256 for i in range(4096)),
        "encrypted": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 504
        + "EncryptionInfo".encode("utf-16-le")
        + b"\0" * 512,
        "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024,
    }[kind]


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def _without_member(good: Path, path: Path, member: str) -> None:
    with zipfile.ZipFile(good) as z:
        _zip(path, {n: z.read(n) for n in z.namelist() if n != member})


def _replace_member(good: Path, path: Path, member: str, data: bytes) -> None:
    with zipfile.ZipFile(good) as z:
        _zip(path, {n: data if n == member else z.read(n) for n in z.namelist()})


DAMAGES = {
    "set_item": set_item,
    "set_bonus": set_bonus,
    "set_info": set_info,
    "set_cell": set_cell,
    "delete_sheet": delete_sheet,
    "rename_sheet": rename_sheet,
    "rename_header": rename_header,
    "append_row": append_row,
    "delete_item": delete_item,
    "fill_all": fill_all,
}


def repeated(arg):
    """A damage argument ``{repeat: [piece, count]}`` is ``piece × count`` (5,000 characters)."""
    if isinstance(arg, dict) and "repeat" in arg:
        piece, count = arg["repeat"]
        return piece * count
    return arg


def make_workbook(spec: dict, base: dict, path: Path) -> Path:
    """The case's workbook: the good checklist or bulk form with ``damage`` applied."""
    source = base["bulk"] if spec.get("from") == "bulk" else base["good"]
    if "raw" in spec:
        path.write_bytes(_raw_bytes(spec["raw"], source))
        return path
    if "drop_member" in spec:
        _without_member(source, path, spec["drop_member"])
        return path
    if "replace_member" in spec:
        member, text = spec["replace_member"]
        _replace_member(source, path, member, text.encode())
        return path
    if spec.get("from") == "bulk":
        rows = [list(r) for r in bulk_rows(base["rubric"])]
        for damage in spec.get("damage", ()):
            _damage_bulk(rows, *next(iter(damage.items())))
        sheets = {BULK_SHEET: rows, **spec.get("extra_sheets", {})}
        return build(path, sheets)
    shutil.copy(source, path)
    book = openpyxl.load_workbook(path)
    for damage in spec.get("damage", ()):
        (name, args), *_ = damage.items()
        DAMAGES[name](book, *map(repeated, args if isinstance(args, list) else [args]))
    book.save(path)
    return path


def _damage_bulk(rows: list[list], name: str, args) -> None:
    header = rows[0]
    if name == "set":  # [code, header, value]
        code, column, value = args
        row = next(r for r in rows[1:] if r[header.index("编号")] == code)
        row[header.index(column)] = value
    elif name == "drop_column":
        index = header.index(args)
        for row in rows:
            del row[index]
    elif name == "append":  # {header: value}, other columns as the first data row
        rows.append([args.get(h, v) for h, v in zip(header, rows[1], strict=True)])
    elif name == "drop_item":
        rows[:] = [r for r in rows if r[header.index("编号")] != args]
    elif name == "only_header":
        del rows[1:]
    else:
        raise KeyError(name)


# --- placeholders ---------------------------------------------------------------------------


def cell_of(path: Path, ref: str) -> str:
    """``item:1.1.2:问题数`` → ``检查表!I3`` in the case's own workbook, found by header and
    code the way the reader finds them (also ``info:评估类型``, ``bonus:J1:是否申报``,
    ``bulk:1.1.2:问题数``)."""
    kind, *parts = ref.split(":")
    book = openpyxl.load_workbook(path)
    if kind == "info":
        ws = book["基本信息"]
        return f"基本信息!B{_info_row(ws, parts[0])}"
    sheet = {"item": "检查表", "bonus": "加分项", "bulk": BULK_SHEET}[kind]
    ws = book[sheet]
    code, header = parts
    return f"{sheet}!{get_column_letter(_header(ws, header))}{_row_of(ws, code)}"


def expand(text: str, names: dict[str, str], workbook: Path | None) -> str:
    def replace(match: re.Match) -> str:
        key = match[1]
        if key in names:
            return names[key]
        assert workbook is not None, f"{key} needs a workbook"
        return cell_of(workbook, key)

    return PLACEHOLDER.sub(replace, text)


# --- running --------------------------------------------------------------------------------


def invoke(args: list[str]):
    return CliRunner().invoke(app, args)


def make_files(case: dict, base: dict, folder: Path, names: dict[str, str]) -> None:
    """The case's own files: text, repeated text, pipes and sockets, SQLite files, a damaged
    copy of the base store."""
    for name in (*case.get("files", {}), *case.get("special", {})):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
    for name, content in case.get("files", {}).items():
        encoding = case.get("encoding", "utf-8")
        (folder / name).write_bytes(expand(content, names, None).encode(encoding))
    for name, (prefix, piece, count, *suffix) in case.get("repeat", {}).items():
        (folder / name).write_text(prefix + piece * count + "".join(suffix), encoding="utf-8")
    for name, kind in case.get("special", {}).items():
        if kind == "fifo":
            os.mkfifo(folder / name)
        elif kind == "socket":
            listener = socket.socket(socket.AF_UNIX)
            listener.bind(str(folder / name))
            listener.close()
        else:
            raise KeyError(kind)
    for name, statements in case.get("sqlite", {}).items():
        with sqlite3.connect(folder / name) as connection:
            for statement in statements:
                connection.execute(statement)
        connection.close()
    if "store_sql" in case:
        shutil.copy(base["db"], folder / "h.db")
        with sqlite3.connect(folder / "h.db") as connection:
            for statement in case["store_sql"]:
                connection.execute(statement)
        connection.close()
    if "corrupt" in case:  # [file, offset, bytes]: overwrite part of a file made above
        name, offset, data = case["corrupt"]
        with open(folder / name, "r+b") as handle:
            handle.seek(offset)
            handle.write(data.encode("latin-1"))


def run_case(case: dict, base: dict, folder: Path) -> tuple[int, str, Path | None]:
    names = {
        "dir": str(folder),
        "data": str(DATA),
        "good": str(base["good"]),
        "db": str(base["db"]),
        "units": str(DATA / "good_units.yaml"),
    }
    make_files(case, base, folder, names)
    workbook = None
    if "workbook" in case:
        workbook = make_workbook(case["workbook"], base, folder / case["workbook"].get("name", "bad.xlsx"))
        names["wb"] = str(workbook)
    args = []
    for arg in case["run"]:
        args += search() if arg == "{search}" else [expand(str(arg), names, workbook)]
    unchanged = {name: (folder / name).read_bytes() for name in case.get("unchanged", ())}
    # Every case runs the installed command in a process of its own under timeout(1): a
    # generous guard against a hang (a pipe read forever), not a speed requirement.
    done = subprocess.run(
        ["timeout", "-k", "10", str(HANG_GUARD_S), str(ROOT / ".venv" / "bin" / "compliance"), *args],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode not in (124, 137), f"hung: no answer in {HANG_GUARD_S} s"
    for name, before in unchanged.items():
        assert (folder / name).read_bytes() == before, f"{name} was changed"
    where = expand(case["where"], names, workbook)
    return done.returncode, done.stdout + done.stderr, where


def _param(case: dict):
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
    return pytest.param(case, id=case["id"], marks=marks)


def test_the_corpus_is_large_and_its_ids_unique():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 60
    kinds = {c["id"].split("-")[0] for c in CASES}
    assert {"standard", "rubric", "units", "targets", "workbook", "bulk", "cli"} <= kinds


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input(case, base, tmp_path):
    code, output, where = run_case(case, base, tmp_path)
    assert "Traceback" not in output and "内部错误" not in output, output
    assert code == case.get("exit", 1), output
    for place in (where, *(expand(w, {"dir": str(tmp_path)}, None) for w in case.get("also", ()))):
        lines = [line for line in output.splitlines() if place in line]
        assert lines, f"no line names {place!r}:\n{output}"
        assert any(CJK.search(line.replace(place, "")) for line in lines), output
    for fragment in case.get("says", ()):
        assert fragment in output, f"{fragment!r} not in:\n{output}"
    for fragment in case.get("never", ()):
        assert fragment not in output, f"{fragment!r} in:\n{output}"
    assert not CONTROL.search(output), f"a control character reached the terminal: {output!r}"
    english = [line for line in output.splitlines() if ENGLISH.search(PARENTHESES.sub("", line))]
    assert not english, f"English left in messages: {english}"
