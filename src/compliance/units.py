"""The units (squads) a programme assesses."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, PrivateAttr, model_validator

from compliance.base import StrictModel
from compliance.loader import PlacedValueError, source_text
from compliance.standard import Code, Text

NAME_MAX = 100  # the longest name, type, city or district a store keeps (as the workbook's cells)
Name = Annotated[Text, Field(max_length=NAME_MAX)]


class Unit(StrictModel):
    code: Annotated[Code, Field(pattern=r"^[0-9A-Za-z_-]+$")]
    name: Name
    type: Name
    city: Name
    district: Name


class UnitsFile(StrictModel):
    units: Annotated[list[Unit], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_codes(self) -> UnitsFile:
        for path, message in repeated_codes([u.code for u in self.units]):
            raise PlacedValueError(message, *path)
        return self

    _by_code: dict[str, Unit] = PrivateAttr(default_factory=dict)

    def model_post_init(self, _context: object) -> None:
        self._by_code = {u.code: u for u in self.units}

    def get(self, code: str) -> Unit | None:
        return self._by_code.get(code)


def repeated_codes(codes: list[object]) -> list[tuple[tuple[str | int, ...], str]]:
    """(path, message) for every code used before in ``codes`` (the units list of a file,
    as read: the check runs on the raw data too, so that a repeated code is reported in
    the same pass as the file's other errors)."""
    seen: dict[str, int] = {}
    found = []
    for i, code in enumerate(codes):
        text = source_text(code) or code if not isinstance(code, bool) else None
        if not isinstance(text, str | int) or isinstance(text, bool):
            continue
        text = str(text)
        if text in seen:
            message = f"单位编码“{text}”重复：已用于 units[{seen[text]}]，每个单位的编码必须唯一"
            found.append((("units", i, "code"), message))
        else:
            seen[text] = i
    return found
