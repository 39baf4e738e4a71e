"""The rule kinds of SPEC §3.1 and §2.2a, one small unit each.

Every unit is a frozen dataclass holding the rule's parameters as the rubric gives them
(``resolve`` builds it) and knows, in one place:

- **its inputs**: ``own`` — the columns of the item's own 检查表 row it reads (``result``
  结论, ``count`` 问题数, ``measured`` 实测值, ``score`` 得分); ``parts()`` — the input rows
  directly under the item (a trigger's 问题数 or a criterion's 结论), coded ``2.4/1``,
  ``2.4/2``… in the rubric's order (:func:`part_code`);
- **its arithmetic**, in Decimal: ``judge(item, own, parts, parsed, ctx)`` returns an
  :class:`Outcome` (status, verdict, earned, words) or None when an input is unusable,
  after reporting a finding through ``ctx.report(cell, message)``; the common cases (the
  own row's 结论 unreadable or 不适用) are handled once in ``RuleUnit.outcome``;
- **its explanation words**, with the unit's own numbers (``Outcome.words``);
- **its description** for the workbook's 评分方式 column: ``describe(points)``; the item's
  ``scoring_text`` replaces it where the rubric gives one (``ScoredItem.method_text``).

- **its live Excel formula** for the checklist: ``excel_formula(item, cells, ctx)`` (see
  :mod:`compliance.scoring.rules.excel`) computes from the sheet's cells exactly what
  ``judge`` computes, beside it in the same unit, so the sheet and the engine cannot drift
  apart (a differential test through LibreOffice holds them to it).
"""

from compliance.scoring.rules.base import NOT_INSPECTED, Column, Context, Outcome, Part, RuleUnit, part_code
from compliance.scoring.rules.check import Check
from compliance.scoring.rules.criteria import Criteria, Criterion
from compliance.scoring.rules.deduct import Deduct, Trigger
from compliance.scoring.rules.levels import Levels
from compliance.scoring.rules.manual import Manual
from compliance.scoring.rules.quantity import Band, Bands, Quantity, Shortfall

Rule = Check | Levels | Deduct | Quantity | Shortfall | Bands | Manual | Criteria
RULE_LABELS: dict[str, str] = {
    "check": Check.label,
    "levels": Levels.label,
    "deduct": Deduct.label,
    "quantity": Quantity.label,
    "manual": Manual.label,
    "criteria": Criteria.label,
}

__all__ = [
    "NOT_INSPECTED",
    "RULE_LABELS",
    "Band",
    "Bands",
    "Check",
    "Column",
    "Context",
    "Criteria",
    "Criterion",
    "Deduct",
    "Levels",
    "Manual",
    "Outcome",
    "Part",
    "Quantity",
    "Rule",
    "RuleUnit",
    "Shortfall",
    "Trigger",
    "part_code",
]
