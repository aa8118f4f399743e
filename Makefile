# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test install dev lint typecheck score bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(STAMP)

install: $(STAMP)
dev: $(DEVSTAMP)

# Until the web service exists: extract the bundled sample notices and print what was found.
run: $(STAMP)
	$(BIN)/reminder extract reminder/samples/notices/*.txt

test: $(DEVSTAMP)
	$(BIN)/pytest -q

lint: $(DEVSTAMP)
	$(BIN)/ruff check reminder tests benchmarks
	$(BIN)/mypy

score: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python ../shared/tools/score_extraction.py -v

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_extract.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
