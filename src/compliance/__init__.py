"""compliance — 城管执法规范化建设评分引擎."""

__version__ = "0.1.0"
