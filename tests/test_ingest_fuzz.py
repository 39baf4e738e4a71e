"""Property: whatever a table holds, ingest answers with findings or with YAML that loads —
never an exception. Tables are drawn from the words real tables use (header words, category
names, points in every spelling, wording fragments), so most draws reach the phrase reader."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.findings import FindingsError
from compliance.ingest import analyse, ingest
from compliance.ingest.emit import rubric_yaml, standard_yaml

HEADER = [
    "序号",
    "考核项目",
    "考核内容",
    "分值",
    "评分标准",
    "备注",
    "权重",
    "得分",
    "一级指标",
    "计分方法",
    "",
]
CELLS = [
    "", "一、组织保障（20分）", "（一）", "1", "1.1", "②", "合计", "小计", "填表说明：本表由考评组填写",
    "5", "5分", "５", "5.0", "二十", "-3", "0", "30%", "队伍建设", "执法办案", "持证上岗",
    "每处扣2分，扣完为止", "未建立的不得分", "好、较好、一般、差分别得10、8、5、0分", "此大项计0分",
    "一票否决", "按完成率得分", "达到90%以上得3分，80%–90%得2分", "每少一个百分点扣1分", "扣减相应分数",
    "设有…得1分；…得1分", "加分项", "减分项", "每次扣2分", "得", "扣", "分", "%", "（", "）", "=",
]  # fmt: skip

tables = st.lists(
    st.lists(st.one_of(st.sampled_from(CELLS), st.text(max_size=8)), min_size=1, max_size=7),
    min_size=1,
    max_size=12,
).map(lambda rows: [st_header for st_header in [HEADER[:6]]] + rows)


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=tables, shuffle=st.permutations(list(range(6))))
def test_any_table_gives_findings_or_loadable_yaml(tmp_path: Path, rows, shuffle):
    rows = [
        [row[i] if i < len(row) else "" for i in shuffle] if n == 0 else row for n, row in enumerate(rows)
    ]
    path = tmp_path / "表.csv"
    path.write_bytes(as_csv(rows))
    result, findings = analyse(path)
    if result is None:
        assert findings
        return
    for text in (
        standard_yaml(result, "fuzz", "表.csv"),
        rubric_yaml(result, "fuzz", "fuzz-rubric", "表.csv"),
    ):
        assert isinstance(yaml.safe_load(text), dict)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".xlsx", ".docx", ".csv", ".xls"]))
def test_any_bytes_under_a_table_name_give_a_finding_not_a_crash(tmp_path: Path, data, suffix):
    path = tmp_path / f"表{suffix}"
    path.write_bytes(data)
    try:
        ingest(path, "fuzz", tmp_path / "out")
    except FindingsError as exc:
        assert exc.findings
