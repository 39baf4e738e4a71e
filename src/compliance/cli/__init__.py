"""The command line: thin commands over the library, one error handler at the edge."""

from compliance.cli import standards_cmd  # noqa: F401  (registers its commands)
from compliance.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
