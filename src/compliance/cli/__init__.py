"""The command line: thin commands over the library, one error handler at the edge."""

from compliance.cli import standards_cmd  # noqa: F401  (registers its commands)
from compliance.cli import workbook_cmd  # noqa: F401  (registers its commands)
from compliance.cli import store_cmd  # noqa: F401  (registers `import`)
from compliance.cli import report_cmd  # noqa: F401  (registers `report`, `rank`, `progress`)
from compliance.cli import demo_cmd  # noqa: F401  (registers `demo`)
from compliance.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
