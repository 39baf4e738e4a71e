"""Reading the user's YAML: every bad file yields located Chinese findings, in one pass.

The bad cases are data. Each file in ``tests/data/bad/`` starts with a comment saying
what is wrong, then one ``# expect:`` line per finding it must produce, in order::

    # 评分细则：按处扣分的 per 为 0
    # expect: {line: 15, column: 45, path: 'rubric.items."1.1.2".per', message: '得到 0，应为大于 0 的数'}

``line``/``path`` may be ``null`` (a file-level problem); ``column`` is checked when
given; ``message`` is a fragment of the Chinese message. A new case is a new file.
Rubrics are bound against the standards in ``tests/data`` (``spec-example``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from compliance.catalog import Catalog, bundled_dir, read_model
from compliance.findings import ComplianceError, Finding, FindingsError
from compliance.loader import MAX_YAML_BYTES, format_path, load_yaml, parse_yaml
from compliance.standard import Standard

DATA = Path(__file__).resolve().parent / "data"
BAD = DATA / "bad"
ROOT = DATA.parents[1]
BAD_FILES = sorted(BAD.glob("*.yaml"))
GOOD_FILES = {
    "good_standard.yaml": "standard",
    "good_rubric.yaml": "rubric",
    "good_spec_standard.yaml": "standard",
    "good_spec_rubric.yaml": "rubric",
    "good_units.yaml": "units",
    "good_targets.yaml": "targets",
}
TAG_SENTINEL = Path("/tmp/compliance-yaml-tag-executed")  # what yaml_python_tag.yaml would create


def expectations(path: Path) -> list[dict]:
    """The ``# expect:`` lines of a bad file's header (read as bytes: some files are not UTF-8)."""
    found = []
    for raw in path.read_bytes().splitlines():
        if not raw.startswith(b"#"):
            break
        line = raw.decode("utf-8", errors="replace")
        if line.startswith("# expect:"):
            found.append(yaml.safe_load(line.removeprefix("# expect:")))
    return found


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(standard_dirs=[DATA], rubric_dirs=[DATA], cwd=ROOT)


# --- good files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_good_file_validates_cleanly(catalog, name):
    kind, findings = catalog.validate(DATA / name)
    assert kind == GOOD_FILES[name]
    assert findings == []


# --- bad files, one per rule --------------------------------------------------------------


def test_every_bad_file_declares_what_it_expects():
    assert len(BAD_FILES) >= 40
    assert [f.name for f in BAD_FILES if not expectations(f)] == []


@pytest.mark.parametrize("path", BAD_FILES, ids=[f.stem for f in BAD_FILES])
def test_bad_file(catalog, path):
    expected = expectations(path)
    _, findings = catalog.validate(path)
    errors = [f for f in findings if f.is_error]
    got = [(f.line, f.column, f.path, f.message) for f in errors]
    assert len(errors) == len(expected), got
    for finding, want in zip(errors, expected, strict=True):
        assert finding.file == str(path)
        assert finding.line == want["line"], got
        if "column" in want:
            assert finding.column == want["column"], got
        assert finding.path == want["path"], got
        assert want["message"] in finding.message, got
        assert any("\u4e00" <= c <= "\u9fff" for c in finding.message)


@pytest.mark.parametrize("name", ["std_three_errors.yaml", "rub_three_errors.yaml"])
def test_all_findings_of_a_file_in_one_pass(catalog, name):
    _, findings = catalog.validate(BAD / name)
    assert len(findings) == 3
    assert len({f.path for f in findings}) == 3


def test_finding_prints_as_file_line_column_path_message(catalog):
    path = BAD / "rub_per_zero.yaml"
    (finding,) = catalog.validate(path)[1]
    assert str(finding) == f'{path}:15:45 rubric.items."1.1.2".per: 得到 0，应为大于 0 的数'


def test_load_raises_with_every_finding():
    with pytest.raises(FindingsError) as info:
        Catalog().standard(str(BAD / "std_three_errors.yaml"))
    assert len(info.value.findings) == 3
    assert "standard.fidelity" in str(info.value)


# --- hostile YAML -------------------------------------------------------------------------


def test_python_tag_is_refused_and_not_executed(catalog):
    TAG_SENTINEL.unlink(missing_ok=True)
    _, findings = catalog.validate(BAD / "yaml_python_tag.yaml")
    assert "不允许的 YAML 标签" in findings[0].message
    assert not TAG_SENTINEL.exists()


def test_alias_bomb_is_refused_quickly(catalog):
    start = time.perf_counter()
    _, findings = catalog.validate(BAD / "yaml_alias_bomb.yaml")
    assert time.perf_counter() - start < 1
    assert "别名" in findings[0].message


def test_oversized_file_is_refused_unread(tmp_path, catalog):
    path = tmp_path / "big.yaml"
    padding = b"# " + b"x" * 1000 + b"\n"
    path.write_bytes(b"units:\n" + padding * (MAX_YAML_BYTES // len(padding) + 1))
    assert path.stat().st_size > 5 * 1024 * 1024
    kind, findings = catalog.validate(path)
    assert kind is None
    (finding,) = findings
    assert "文件过大" in finding.message
    assert str(MAX_YAML_BYTES) in finding.message


def test_limit_is_inclusive(tmp_path, monkeypatch):
    monkeypatch.setattr("compliance.loader.MAX_YAML_BYTES", 100)
    path = tmp_path / "limit.yaml"
    head = b"units: []\n"
    path.write_bytes(head + b"#" * (100 - len(head)))
    assert load_yaml(path)[1] == []
    path.write_bytes(head + b"#" * (101 - len(head)))
    assert "文件过大：101 字节，上限为 100 字节" in load_yaml(path)[1][0].message


def test_missing_file_is_a_finding_not_an_exception(tmp_path):
    doc, (finding,) = load_yaml(tmp_path / "nope.yaml")
    assert doc is None
    assert "无法读取文件" in finding.message


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "good_units.yaml").read_bytes())
    assert Catalog().validate(path) == ("units", [])


def test_display_name_is_used_in_findings(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: [", encoding="utf-8")
    _, (finding,) = load_yaml(path, display="standards/x.yaml")
    assert finding.file == "standards/x.yaml"
    assert finding.line == 1


@given(st.text(max_size=200))
def test_parse_yaml_never_raises(text):
    doc, findings = parse_yaml(text, "fuzz.yaml")
    assert doc is not None or findings
    assert all(isinstance(f, Finding) for f in findings)


YAML_PIECES = st.sampled_from(
    ["a", ":", " ", "\n", "  ", "- ", "[", "]", "{", "}", ",", '"', "'", "&x", "*x", "!!str", "!!python/name:os.system",
     "#", "1.1", "0.1", "2019-12-31", "true", "null", "编号", "<<: ", "?", "|", ">", "\t", "%YAML 1.1", "---"]
)  # fmt: skip


@given(st.lists(YAML_PIECES, max_size=60).map("".join))
def test_yaml_shaped_noise_never_raises(text):
    doc, findings = parse_yaml(text, "fuzz.yaml")
    assert doc is not None or findings


# --- values keep their source meaning ------------------------------------------------------


def test_decimals_are_exact_and_codes_keep_their_text(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "standard: {id: s, title: 标题, version: 2018, fidelity: official, levels: [方面, 小项]}\n"
        "sections:\n"
        "  - code: 1\n"
        "    name: 执法部门\n"
        "    items:\n"
        "      - {code: 1.10, text: 条文}\n",
        encoding="utf-8",
    )
    standard, _, findings = read_model(path, Standard)
    assert findings == []
    assert standard.standard.version == "2018"
    assert standard.sections[0].code == "1"
    assert standard.sections[0].items[0].code == "1.10"  # not 1.1


def test_format_path():
    assert format_path(("rubric", "items", "1.1.2", "per")) == 'rubric.items."1.1.2".per'
    assert (
        format_path(("sections", 2, "sections", 0, "items", 3, "code"))
        == "sections[2].sections[0].items[3].code"
    )
    assert format_path(()) == ""


def test_unknown_top_level_key_is_named(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("standards: {}\n", encoding="utf-8")
    _, (finding,) = Catalog().validate(path)
    assert "无法识别文件类型" in finding.message
    assert "standard、rubric、units、targets" in finding.message


# --- discovery ----------------------------------------------------------------------------


def _standard_file(folder: Path, file_id: str, declared: str | None = None, title: str = "测试标准") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = (DATA / "good_standard.yaml").read_text(encoding="utf-8")
    text = text.replace("id: mini-2024", f"id: {declared or file_id}").replace(
        "title: 测试用城管执法规范化建设标准", f"title: {title}"
    )
    path = folder / f"{file_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_standard_by_id_in_cwd_standards(tmp_path):
    _standard_file(tmp_path / "standards", "local-std", title="当前目录的标准")
    assert Catalog(cwd=tmp_path).standard("local-std").standard.title == "当前目录的标准"


def test_standard_by_id_in_an_added_folder(tmp_path):
    _standard_file(tmp_path / "extra", "extra-std", title="额外目录的标准")
    assert (
        Catalog([tmp_path / "extra"], cwd=tmp_path).standard("extra-std").standard.title == "额外目录的标准"
    )


def test_standard_by_declared_id_when_the_file_name_differs(tmp_path):
    _standard_file(tmp_path / "standards", "some-file-name", declared="declared-id")
    assert Catalog(cwd=tmp_path).standard("declared-id").id == "declared-id"


def test_bundled_standard_and_rubric(tmp_path):
    catalog = Catalog(cwd=tmp_path)  # no ./standards here: only the bundled ones
    standard = catalog.standard("jiangsu-2018")
    assert standard.id == "jiangsu-2018"
    assert sum(1 for _ in standard.walk()) == 175
    rubric = catalog.rubric("jiangsu-2018-street")
    assert rubric.standard.id == "jiangsu-2018"
    assert sum(item.points for item in rubric.items) == rubric.total


def test_bundled_folders_are_the_repo_folders():
    for name in ("standards", "rubrics"):
        assert bundled_dir(name).resolve() == (ROOT / name).resolve()


def test_by_path_absolute_and_relative_to_the_catalog_cwd(tmp_path):
    path = _standard_file(tmp_path / "elsewhere", "path-std")
    assert Catalog().standard(str(path)).id == "path-std"
    assert Catalog(cwd=tmp_path).standard("elsewhere/path-std.yaml").id == "path-std"


def test_added_folder_wins_over_cwd_and_bundled(tmp_path):
    _standard_file(tmp_path / "standards", "dup-std", title="当前目录")
    _standard_file(tmp_path / "extra", "dup-std", title="额外目录")
    assert Catalog([tmp_path / "extra"], cwd=tmp_path).standard("dup-std").standard.title == "额外目录"
    assert Catalog(cwd=tmp_path).standard("dup-std").standard.title == "当前目录"


def test_own_copy_of_a_bundled_standard_wins_even_under_another_file_name(tmp_path):
    # The user's folder declares jiangsu-2018 in my-jiangsu.yaml; the bundled file is
    # jiangsu-2018.yaml. The folder the user named must win.
    _standard_file(tmp_path / "extra", "my-jiangsu", declared="jiangsu-2018", title="自己的版本")
    catalog = Catalog([tmp_path / "extra"], cwd=tmp_path)
    assert catalog.standard("jiangsu-2018").standard.title == "自己的版本"


def test_unknown_id_lists_the_folders_searched(tmp_path):
    (tmp_path / "standards").mkdir()
    (tmp_path / "extra").mkdir()
    with pytest.raises(ComplianceError) as info:
        Catalog([tmp_path / "extra"], cwd=tmp_path).standard("no-such-standard")
    message = str(info.value)
    assert "找不到 id 为“no-such-standard”的标准" in message
    for folder in (tmp_path / "extra", tmp_path / "standards", bundled_dir("standards")):
        assert str(folder) in message
    assert not isinstance(info.value, FindingsError)


def test_unknown_rubric_id(tmp_path):
    with pytest.raises(ComplianceError, match="找不到 id 为“no-such-rubric”的评分细则"):
        Catalog(cwd=tmp_path).rubric("no-such-rubric")


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(ComplianceError, match=r"找不到标准文件：missing/x\.yaml"):
        Catalog(cwd=tmp_path).standard("missing/x.yaml")


def test_rubric_found_by_id_binds_to_its_standard(catalog):
    resolved = catalog.rubric("spec-example-street")
    assert resolved.standard.id == "spec-example"
    assert resolved.excluded == ("2.3.4",)


def test_rubric_with_broken_standard_reports_both_files(tmp_path):
    (tmp_path / "standards").mkdir()
    broken = (
        (BAD / "std_bad_fidelity.yaml").read_text(encoding="utf-8").replace("bad-fidelity", "spec-example")
    )
    (tmp_path / "standards" / "spec-example.yaml").write_text(broken, encoding="utf-8")
    kind, findings = Catalog(cwd=tmp_path).validate(DATA / "good_spec_rubric.yaml")
    assert kind == "rubric"
    assert findings[0].path == "rubric.standard"
    assert "所引用的标准“spec-example”有错误" in findings[0].message
    assert findings[1].file.endswith("spec-example.yaml")
    assert findings[1].path == "standard.fidelity"


def test_rubric_is_not_bound_to_a_standard_declaring_another_id(tmp_path):
    # standards/spec-example.yaml is found by its file name, but declares other-id.
    _standard_file(tmp_path / "standards", "spec-example", declared="other-id")
    _, (finding,) = Catalog(cwd=tmp_path).validate(DATA / "good_spec_rubric.yaml")
    assert finding.path == "rubric.standard"
    assert "声明的 id 为“other-id”，与所引用的“spec-example”不一致" in finding.message
