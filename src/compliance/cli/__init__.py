"""The command line: thin commands over the library, one error handler at the edge."""

# ruff: noqa: I001  -- import order is registration order, which is the order `--help` lists
from compliance.cli import standards_cmd  # noqa: F401  (validate, show)
from compliance.cli import ingest_cmd  # noqa: F401  (ingest)
from compliance.cli import workbook_cmd  # noqa: F401  (template, score)
from compliance.cli import store_cmd  # noqa: F401  (import)
from compliance.cli import report_cmd  # noqa: F401  (report, rank, progress)
from compliance.cli import recheck_cmd  # noqa: F401  (recheck)
from compliance.cli import demo_cmd  # noqa: F401  (demo)
from compliance.cli import web_cmd  # noqa: F401  (serve, user)
from compliance.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
