"""The checklist's fixed vocabulary: sheet names, headers and labels (SPEC §4).

The template writes exactly these texts and the reader looks for them (after
:func:`compliance.workbook.cells.key` normalisation), so they live in one place.
"""

from __future__ import annotations

INFO_SHEET = "基本信息"
ITEMS_SHEET = "检查表"
BONUS_SHEET = "加分项"
PENALTY_SHEET = "减分项"
UNITS_SHEET = "单位"

# 检查表 headers, in template order.
CODE, ASPECT, SUBITEM, TEXT, METHOD, POINTS, RULE = (
    "编号",
    "方面",
    "子项",
    "标准内容",
    "检查方法",
    "分值",
    "评分方式",
)
RESULT, COUNT, MEASURED, SCORE, NOTE, EVIDENCE = "结论", "问题数", "实测值", "得分", "问题描述", "佐证材料"
ITEM_HEADERS = (
    CODE,
    ASPECT,
    SUBITEM,
    TEXT,
    METHOD,
    POINTS,
    RULE,
    RESULT,
    COUNT,
    MEASURED,
    SCORE,
    NOTE,
    EVIDENCE,
)
ITEM_INPUTS = (CODE, RESULT, COUNT, MEASURED, SCORE)  # the reader needs these; the rest is for people
ITEM_OPTIONAL = (NOTE, EVIDENCE)

# 加分项 headers.
BONUS_TEXT, CLAIMED, REMARK = "加分事项", "是否申报", "说明"
BONUS_HEADERS = (CODE, BONUS_TEXT, POINTS, CLAIMED, REMARK)

# 减分项 headers (SPEC §4, when the rubric has penalties).
PENALTY_TEXT, PER_TIME, TIMES = "减分事项", "每次扣分", "次数"
PENALTY_HEADERS = (CODE, PENALTY_TEXT, PER_TIME, TIMES, REMARK)

# 基本信息 labels.
UNIT_CODE, UNIT_NAME, UNIT_TYPE, CITY, DISTRICT = "单位编码", "单位名称", "单位类型", "所属市", "所属区"
RUBRIC, RUBRIC_HASH, KIND, ROUND, DATE, INSPECTORS = (
    "评分细则",
    "细则版本",
    "评估类型",
    "评估轮次",
    "检查日期",
    "检查人员",
)
CURRENT_SCORE, CURRENT_BONUS, CURRENT_PENALTY = "当前得分", "当前加分", "当前减分"
INFO_REQUIRED = (UNIT_CODE, UNIT_NAME, UNIT_TYPE, CITY, DISTRICT, RUBRIC, KIND, ROUND, DATE, INSPECTORS)
INFO_LABELS = (*INFO_REQUIRED, RUBRIC_HASH)

# The bulk form (one row per unit and item): required, then optional columns.
BULK_REQUIRED = (UNIT_CODE, KIND, ROUND, CODE, RESULT, COUNT, MEASURED, SCORE)
BULK_OPTIONAL = (RUBRIC, DATE, INSPECTORS, NOTE, EVIDENCE)

# units.yaml's fields as the columns of a 单位 sheet.
UNIT_COLUMNS = {"code": UNIT_CODE, "name": UNIT_NAME, "type": UNIT_TYPE, "city": CITY, "district": DISTRICT}

YES, NO = "是", "否"

# 基本信息: the running results under the inputs (the reader ignores them).
RATE, FINAL_SCORE, STATUS, GRADE = "得分率", "最终得分", "达标情况", "等级"
PENDING = "待填"  # a running result before anything is filled in

# The signature lines at the end of the printed form.
SIGNATURES = ("检查人员签字", "被检查单位负责人签字", "日期")
