"""Dated targets: which share of the units in scope must be 达标 by when."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, model_validator

from compliance.base import StrictModel
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
    scope: Scope = Scope()
    milestones: Annotated[list[Milestone], Field(min_length=1)]

    @model_validator(mode="after")
    def _in_order(self) -> TargetsInfo:
        dates = [m.by for m in self.milestones]
        if dates != sorted(set(dates)):
            raise ValueError("里程碑应按日期从早到晚排列，且日期不重复")
        shares = [m.share for m in self.milestones]
        if shares != sorted(shares):
            raise ValueError("里程碑的达标比例 share 不应随时间下降")
        return self


class Targets(StrictModel):
    targets: TargetsInfo
