#!/usr/bin/env bash
# A plain `pip install .` into an empty venv gives a CLI that runs: every import the
# code makes is installed by the package's own dependencies, and the bundled data ships.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
quiet() { "$@" >"$work/pip.log" 2>&1 || { cat "$work/pip.log"; return 1; }; }
quiet "$work/venv/bin/pip" install -q --upgrade pip
quiet "$work/venv/bin/pip" install -q .
cd "$work"  # away from the checkout: only what was installed is found
"$work/venv/bin/compliance" --help >/dev/null
"$work/venv/bin/compliance" show jiangsu-2018 >/dev/null
# The web app's pages and stylesheet ship in the wheel, and its stack is installed.
"$work/venv/bin/python" -c "
from importlib import resources
import compliance.web.app
web = resources.files('compliance.web')
assert (web / 'templates' / 'base.html').is_file() and (web / 'static' / 'app.css').is_file()
"
echo "✓ pip install . gives a working compliance CLI"
