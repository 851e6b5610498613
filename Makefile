# Tidings task runner: executable documentation.
# `make run` installs and starts the reader; `make test` installs and runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= $(CURDIR)/data
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: install run serve test check lint typecheck imports pytest system-deps bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	TIDINGS_DATA_DIR=$${TIDINGS_DATA_DIR:-$(DATA)} $(BIN)/tidings serve --host $(HOST) --port $(PORT)

serve: run

system-deps:
	bash scripts/system-deps.sh

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src

typecheck: install
	$(BIN)/mypy

imports: install
	$(BIN)/lint-imports --no-cache

pytest: install
	bash scripts/pytest.sh

check: lint typecheck imports

test: install system-deps check pytest

bench: install
	$(BIN)/python benchmarks/parse.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
