# Two commands for a new user: `make run` and `make test`.
# The interpreter the venv is made from: the distribution's /usr/bin/python3 when it is 3.11 or newer
# and can make a venv, else the first python3 on PATH. Debian links libpython into that binary, where
# a --enable-shared build (pyenv's, for one) calls through the shared library's indirections:
# extraction measured 14 % more characters per CPU second on the same machine.
PYTHON ?= $(shell /usr/bin/python3 -c 'import ensurepip, sys, venv; sys.exit(sys.version_info < (3, 11))' \
	>/dev/null 2>&1 && echo /usr/bin/python3 || echo python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test install dev browser office wrk lint typecheck score bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Byte-compiled up front: with PYTHONDONTWRITEBYTECODE set (as on some CI machines) every command
# would otherwise recompile the package at start-up (≈ 0.3 s for `reminder extract`).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/python -m compileall -q reminder
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q reminder
	touch $@ $(STAMP)

install: $(STAMP)
dev: $(DEVSTAMP)

# The web service on http://127.0.0.1:8000 with the sample notices and companies in the embedded
# SQLite database (var/reminder.db). Prints the links to open. Without REMINDER_ADMIN_TOKEN a
# development admin token is made (var/dev-admin-token) and printed. Stop with Ctrl-C.
# The sample notices are from 2023 and 2025: enterprise pages are shown as on DEMO_AS_OF
# (`make run DEMO_AS_OF=` for today); reminders always use the real clock.
DEMO_AS_OF ?= 2025-03-01
run: $(STAMP)
	$(BIN)/reminder demo-load --dev $(if $(DEMO_AS_OF),--as-of $(DEMO_AS_OF))
	$(BIN)/reminder serve --dev $(if $(DEMO_AS_OF),--as-of $(DEMO_AS_OF))

# Debian's chromium (plus a CJK font, for readable screenshots) for the browser tests, installed when
# missing and apt-get is there; Playwright never downloads a browser. If the install fails, `make test`
# goes on and the browser tests skip, saying why.
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser tests (apt-get)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  ( $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	    && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei ) >/dev/null 2>&1 \
	    || echo "could not install chromium: the browser tests will be skipped"; \
	fi

# Debian's LibreOffice without a GUI (Writer and Calc: the smallest set that converts .doc/.wps/.rtf/.xls;
# about 60 packages, ~300 MB) for the DOC/WPS/XLS loaders, installed the same way as the browser. If the
# install fails, `make test` goes on: those formats are refused with a message, their tests skip.
office:
	@if ! command -v soffice >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's LibreOffice (headless) for the DOC/WPS/XLS loaders (apt-get)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  ( $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	    && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	       libreoffice-writer-nogui libreoffice-calc-nogui ) >/dev/null 2>&1 \
	    || echo "could not install LibreOffice: the DOC/WPS/XLS tests will be skipped"; \
	fi

test: $(DEVSTAMP) browser office
	$(BIN)/pytest -q

# Lint, formatting (checked, never rewritten here: run `ruff format reminder tests benchmarks`) and types.
lint: $(DEVSTAMP)
	$(BIN)/ruff check reminder tests benchmarks
	$(BIN)/ruff format --check reminder tests benchmarks
	$(BIN)/mypy

score: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python ../shared/tools/score_extraction.py -v

# wrk (Debian's package) drives bench_web.py's `--client wrk`: its clients cost the two cores far less
# than Python's, so the latencies are the server's. Installed the same way as the browser.
wrk:
	@if ! command -v wrk >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's wrk for bench_web.py --client wrk (apt-get)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  ( $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	    && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk ) >/dev/null 2>&1 \
	    || echo "could not install wrk: use bench_web.py's default client"; \
	fi

bench: $(DEVSTAMP) wrk
	$(BIN)/python benchmarks/bench_extract.py
	$(BIN)/python benchmarks/bench_match.py
	$(BIN)/python benchmarks/bench_dispatch.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_web.py $$(command -v wrk >/dev/null && echo --client wrk)
	$(BIN)/python benchmarks/bench_sources.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
