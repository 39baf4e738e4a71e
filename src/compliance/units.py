"""The units (squads) a programme assesses."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from compliance.base import StrictModel
from compliance.standard import Code, Text


class Unit(StrictModel):
    code: Annotated[Code, Field(pattern=r"^[0-9A-Za-z_-]+$")]
    name: Text
    type: Text
    city: Text
    district: Text


class UnitsFile(StrictModel):
    units: Annotated[list[Unit], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_codes(self) -> UnitsFile:
        seen: set[str] = set()
        for unit in self.units:
            if unit.code in seen:
                raise ValueError(f"单位编码“{unit.code}”重复：每个单位的编码必须唯一")
            seen.add(unit.code)
        return self

    def get(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)
