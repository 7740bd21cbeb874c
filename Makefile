# Two commands for a fresh machine with Python 3.11:
#   make run    set up and start the dashboard
#   make test   set up and run the whole test suite (lint, unit, app and browser tests)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint format bench load browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# No file watcher: the virtual environment lives inside the project, so Streamlit's watcher
# would test every imported library module against its ignore list for every new session
# (about a fifth of a page's first draw, measured). Developers wanting reload-on-save run
# `.venv/bin/streamlit run app.py` themselves.
run: $(VENV)/.runtime
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.fileWatcherType none

# The browser tests drive Debian's chromium; install it when it is missing and we may.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else \
	    echo "The browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; \
	  fi; }

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(VENV)/.dev browser lint
	$(BIN)/python -m pytest

bench: $(VENV)/.dev browser
	$(BIN)/python -m benchmarks.run

# Opt-in crowd test: concurrent browser sessions against one server (a few minutes).
load: $(VENV)/.dev browser
	$(BIN)/python -m benchmarks.load_test

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
