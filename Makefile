# The two set-up commands: `make run` and `make test`. Everything they need installs from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export FLASK_APP := wizard

.PHONY: run test lint install install-test migrate demo bench clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

CATALOGUES := $(patsubst %.po,%.mo,$(wildcard wizard/translations/*/LC_MESSAGES/messages.po))

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# Message catalogues are compiled by the build, never committed.
wizard/translations/%/LC_MESSAGES/messages.mo: wizard/translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(CATALOGUES)

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP) translations

install-test: $(TEST_STAMP) translations
	@if { [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null; } && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests, poppler-utils for the PDF tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core poppler-utils >/dev/null; \
	fi

migrate: install
	$(BIN)/flask db upgrade

run: migrate
	$(BIN)/flask run --host 127.0.0.1 --port 5000

demo: migrate
	$(BIN)/flask demo

lint: install-test
	$(BIN)/ruff check wizard tests
	$(BIN)/ruff format --check wizard tests

test: install-test lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

bench: install-test
	$(BIN)/pip install --quiet -e '.[test,bench]'
	@if ! command -v wrk >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi
	$(BIN)/python tests/bench/receipts.py
	$(BIN)/python tests/bench/load.py
