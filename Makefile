# ICMDesk developer entry points. `make run` and `make test` are the quick start.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench bench-large fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

## Open the app on the bundled demo company (created on first run), once Qt's X11 plugin finds
## the system libraries it needs (tools/qt_system_libs.py installs them, as root or with sudo,
## or prints the command to run). `make test` runs offscreen and does not need them.
run: $(STAMP)
	$(BIN)/python tools/qt_system_libs.py
	$(BIN)/icmdesk --demo

## Lint, then the whole test suite, headless.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python tools/test_tools.py
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## Benchmarks (not part of `make test`); bench-large adds the million-deal company
## (generating it takes several minutes the first time; it is cached in the temp folder).
bench: $(STAMP)
	$(BIN)/python bench/demo_size.py
	$(BIN)/python bench/engine.py --small
	$(BIN)/python bench/statements.py
	$(BIN)/python bench/gui.py --skip-deals

bench-large: $(STAMP)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/gui.py

## Property tests run much longer than in `make test` (about three quarters of an hour).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/domain tests/services/test_month_end_fuzz.py tests/services/test_history_fuzz.py tests/services/test_import_fuzz.py tests/test_crash.py tests/domain/test_hostile_documents.py -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build *.egg-info
