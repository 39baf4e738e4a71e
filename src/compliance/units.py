"""The units (squads) a programme assesses."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from compliance.base import StrictModel
from compliance.loader import PlacedValueError
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
        seen: dict[str, int] = {}
        for i, unit in enumerate(self.units):
            if unit.code in seen:
                raise PlacedValueError(
                    f"单位编码“{unit.code}”重复：已用于 units[{seen[unit.code]}]，每个单位的编码必须唯一",
                    "units",
                    i,
                    "code",
                )
            seen[unit.code] = i
        return self

    def get(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)
