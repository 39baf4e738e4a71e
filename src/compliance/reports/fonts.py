"""The Chinese font every report needs: found once, or a clear Chinese error.

WeasyPrint finds fonts through fontconfig and the charts through matplotlib's font
manager; both must see the same family, or Chinese text would print as boxes.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import cache

from compliance.findings import ComplianceError

# Preferred first. report.css lists the same families in the same order.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Source Han Sans CN",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)
FONT_MISSING = (
    "找不到中文字体，无法生成报告（否则汉字会显示为方框）。请先安装 Noto CJK 中文字体："
    "Debian/Ubuntu 运行 sudo apt-get install fonts-noto-cjk；其他系统请安装思源黑体"
    "（Noto Sans CJK SC），然后重试。"
)


@dataclass(frozen=True, slots=True)
class CjkFont:
    family: str
    path: str


def _fontconfig() -> dict[str, str]:
    """family → file for the Chinese fonts fontconfig knows (what WeasyPrint will use)."""
    try:
        listing = subprocess.run(
            ["fc-list", ":lang=zh", "family", "file"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    found: dict[str, str] = {}
    for line in sorted(listing.splitlines()):
        path, _, families = line.partition(": ")
        for family in families.split(","):
            found.setdefault(family.strip(), path)
    return found


def _matplotlib() -> dict[str, str]:
    from matplotlib import font_manager

    return {f.name: f.fname for f in font_manager.fontManager.ttflist}


def pick(installed: dict[str, str]) -> CjkFont:
    """The first preferred family among ``installed`` (family → file), or ComplianceError."""
    for family in CJK_FAMILIES:
        if family in installed:
            return CjkFont(family, installed[family])
    raise ComplianceError(FONT_MISSING)


@cache
def cjk_font() -> CjkFont:
    """The Chinese font for PDFs and charts; raises ComplianceError when none is installed."""
    return pick(_fontconfig() or _matplotlib())
