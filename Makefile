# The two commands of the README:  make demo   and   make test
# Both do all set-up on a fresh machine (Debian packages, a venv with the project).
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup demo test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/setup-system.sh
	./scripts/setup-system.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@

demo: setup
	$(BIN)/compliance demo reports/demo

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts cli.py
	$(BIN)/ruff format --check src tests benchmarks scripts cli.py
	$(BIN)/lint-imports

test: setup lint
	./scripts/with-postgres.sh $(BIN)/pytest -n 2 -p no:cacheprovider

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) reports/demo .pytest_cache
