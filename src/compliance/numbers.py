"""Decimal display helpers: every score is exact until it is shown."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

RATE_PLACES = 4


def rounded(value: Decimal, places: int) -> Decimal:
    """Half-up rounding to ``places`` decimals (the way Chinese score sheets round)."""
    # quantize fails when the result needs more digits than the context holds (28 by
    # default); give it as many as this value needs, so no number is too big to show.
    digits = max(28, value.adjusted() + places + 2) if value.is_finite() else 28
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=Context(prec=digits))


def fmt(value: Decimal, places: int = 2) -> str:
    """``12.50`` → ``12.5``, ``6.00`` → ``6``: rounded, without needless zeros."""
    text = format(rounded(value, places), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_fixed(value: Decimal, places: int) -> str:
    return format(rounded(value, places), "f")


def percent(rate: Decimal, places: int = 2) -> str:
    """``0.79722`` → ``79.72%``."""
    return f"{fmt_fixed(rate * 100, places)}%"
