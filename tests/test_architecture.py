"""The layers stay honest: import-linter's contracts hold, and nothing imports the CLI."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "compliance"
CLI = PACKAGE / "cli"


def test_import_linter_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    assert lint_imports.exists(), "import-linter is a test dependency: pip install -e '.[test]'"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _modules() -> list[Path]:
    found = []
    for folder, _, files in os.walk(PACKAGE):  # symlinked data folders are not followed
        found += [Path(folder) / f for f in files if f.endswith(".py")]
    return sorted(found)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it, relative imports made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_the_scan_sees_the_package():
    modules = {_module_name(p) for p in _modules()}
    assert {"compliance.loader", "compliance.catalog", "compliance.cli.app"} <= modules
    assert "compliance.cli.app" in _imports(CLI / "standards_cmd.py")
    assert "compliance.cli" in _imports(CLI / "__init__.py")


@pytest.mark.parametrize(
    "path",
    [p for p in _modules() if CLI not in p.parents],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_library_never_imports_the_cli(path):
    offending = sorted(n for n in _imports(path) if n == "compliance.cli" or n.startswith("compliance.cli."))
    assert offending == [], f"{path.relative_to(ROOT)} imports {offending}"
