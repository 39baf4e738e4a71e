"""The sheet scan that runs before calamine loads a sheet: inflated a piece at a time, it
must flag exactly what a search of the whole XML flags, wherever the pieces are cut; and
the census of a flagged sheet must place its cells where calamine places them."""

from __future__ import annotations

import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.workbook import source

_CELLS = st.sampled_from(
    [
        b'<c r="A1" t="s"><v>0</v></c>',
        b'<c r="T799999"><v>1</v></c>',
        b'<c r="U1"><v>1</v></c>',  # column 21: outside
        b'<c r="A800000"><v>1</v></c>',  # row 800,000: outside
        b'<c\n\tr="XFD1048576"><v>1</v></c>',  # after a newline and a tab: outside
        b"<c r='B2'><v>1</v></c>",  # single quotes
        b'<c r="b2"><v>1</v></c>',  # lowercase
        b'<c s="1" r="B2"><v>1</v></c>',  # not first
        b"<c><v>1</v></c>",  # no reference: placed by its row and order
        b'<x:c r="C3"><v>1</v></x:c>',  # a namespace prefix, regular
        b'<c r="C3" s="2" t="n"/>',  # regular and empty
        b'<c r="B7" t="e"><f>1/0</f><v>#DIV/0!</v></c>',  # a formula error
        b'<c r="K4"><f>IF(O4="",F4*0.5,"r=\\"ZZ")</f><v>0</v></c>',  # text that looks like one
        b"<row>",
        b"</row>",
        b" " * 300,
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(_CELLS, max_size=40),
    piece=st.integers(1, 200),
    feed=st.integers(1, 64),
    method=st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]),
)
def test_the_scan_in_pieces_finds_what_a_whole_search_finds(tmp_path_factory, cells, piece, feed, method):
    xml = b"<worksheet><sheetData>" + b"".join(cells) + b"</sheetData></worksheet>"
    path = tmp_path_factory.mktemp("scan") / "book.xlsx"
    with zipfile.ZipFile(path, "w", method) as z:
        z.writestr("sheet.xml", xml)
    expected = source._IRREGULAR_CELL.search(xml) is not None
    saved = source._SCAN_PIECE, source._SCAN_INPUT
    source._SCAN_PIECE, source._SCAN_INPUT = piece, feed
    try:
        with zipfile.ZipFile(path) as z:
            assert source._scan_sheet(z, "sheet.xml") == expected
    finally:
        source._SCAN_PIECE, source._SCAN_INPUT = saved


def test_a_member_larger_than_declared_is_refused(tmp_path):
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("sheet.xml", b"<worksheet>" + b" " * 100_000 + b"</worksheet>")
    with zipfile.ZipFile(path) as z:
        z.getinfo("sheet.xml").file_size = 1_000  # what a forged central directory claims
        try:
            source._scan_sheet(z, "sheet.xml")
        except zipfile.BadZipFile as exc:
            assert "大小与声明的不同" in str(exc)
        else:
            raise AssertionError("a member larger than declared was scanned to the end")


_ROWS = st.lists(
    st.tuples(
        st.sampled_from([None, 1, 3, 7, 40]),  # the row's r, or none
        st.lists(
            st.tuples(
                st.sampled_from([None, "A", "c", "Z", "AB", "t"]),  # column letters, or no r
                st.sampled_from([1, 2, 5, 9, 60]),
                st.sampled_from(['"', "'"]),
                st.sampled_from(["value", "error", "self-closed"]),
            ),
            max_size=5,
        ),
        st.booleans(),  # a row without cells written self-closed
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(rows=_ROWS)
def test_the_census_places_cells_where_calamine_does(tmp_path_factory, rows):
    """calamine, the independent engine: the census's used range is never smaller than
    calamine's, and the same when no element is written without children (which calamine
    versions read differently when self-closed, and the census cannot tell from a pair)."""
    import openpyxl
    import python_calamine

    parts = []
    for row_ref, cells, self_closed in rows:
        attr = f' r="{row_ref}"' if row_ref else ""
        body = []
        for letters, number, quote, kind in cells:
            ref = f" r={quote}{letters}{number}{quote}" if letters else ""
            tail = {"value": "><v>1</v></c>", "error": ' t="e"><v>#DIV/0!</v></c>', "self-closed": "/>"}
            body.append(f"<c{ref}{tail[kind]}")
        parts.append(f"<row{attr}/>" if self_closed and not body else f"<row{attr}>{''.join(body)}</row>")
    xml = f'<worksheet xmlns="{_MAIN}"><sheetData>{"".join(parts)}</sheetData></worksheet>'.encode()
    childless = any(not cells or any(k == "self-closed" for *_, k in cells) for _, cells, _ in rows)
    path = tmp_path_factory.mktemp("census") / "book.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "表"
    book.active["A1"] = 0
    book.save(path)
    _replace_member(path, "xl/worksheets/sheet1.xml", xml)
    rows_, cols, errors = source._census(xml)
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("表")
    if sheet.end is None:  # calamine found no cell with a value
        assert not any(k != "self-closed" for _, cells, _ in rows for *_, k in cells)
        return
    calamine = (sheet.end[0] + 1, sheet.end[1] + 1)
    assert rows_ >= calamine[0] and cols >= calamine[1]
    if not childless:
        assert (rows_, cols) == calamine
    grid = sheet.to_python()
    top, left = sheet.start
    for (r, c), value in errors.items():
        assert value == "#DIV/0!"
        assert grid[r - top][c - left] == ""  # calamine gives an error cell as empty


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _replace_member(path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as old:
        members = {n: old.read(n) for n in old.namelist()}
    members[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for n, d in members.items():
            new.writestr(n, d)
