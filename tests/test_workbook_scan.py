"""The sheet scan that runs before calamine loads a sheet: inflated a piece at a time, it
must flag exactly what a search of the whole XML flags, wherever the pieces are cut."""

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
    expected = (source._OUTSIDE_BOX.search(xml) is not None, source._ERROR_CELL.search(xml) is not None)
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
