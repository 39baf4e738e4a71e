"""Dated targets: which share of the units in scope must be 达标 by when."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated

from pydantic import Field, model_validator

from compliance.base import StrictModel
from compliance.loader import PlacedValueError
from compliance.rubric import Fraction
from compliance.standard import Text


class Scope(StrictModel):
    city: str | None = None
    district: str | None = None
    type: str | None = None


class Milestone(StrictModel):
    by: dt.date
    share: Fraction


class TargetsInfo(StrictModel):
    title: Text
    assessor: Text | None = None  # 考评单位: the body that inspects and issues the reports
    scope: Scope = Scope()
    milestones: Annotated[list[Milestone], Field(min_length=1)]

    @model_validator(mode="after")
    def _in_order(self) -> TargetsInfo:
        pairs = list(itertools.pairwise(self.milestones))
        for i, (before, after) in enumerate(pairs, start=1):
            if after.by <= before.by:
                raise PlacedValueError(
                    f"得到 {after.by}，不晚于前一个里程碑的 {before.by}：里程碑应按日期从早到晚排列，且日期不重复",
                    "milestones",
                    i,
                    "by",
                )
        for i, (before, after) in enumerate(pairs, start=1):
            if after.share < before.share:
                raise PlacedValueError(
                    f"得到 {after.share}，低于前一个里程碑的 {before.share}：达标比例 share 不应随时间下降",
                    "milestones",
                    i,
                    "share",
                )
        return self


class Targets(StrictModel):
    targets: TargetsInfo
