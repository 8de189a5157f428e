# The two set-up commands: `make run` and `make test`. Everything they need installs from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export FLASK_APP := wizard
# `make run PORT=8000` when 5000 is taken.
PORT ?= 5000

.PHONY: fonts run test lint install install-test migrate demo bench clean translations

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

install: $(STAMP) translations fonts

install-test: $(TEST_STAMP) translations fonts
	@if { [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null; } && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests, poppler-utils for the PDF tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	fi

# The fonts receipts and decisions are drawn with: DejaVu (Latin, Greek, Cyrillic, Arabic,
# Hebrew…) and WenQuanYi Micro Hei for Chinese, Japanese and Korean, found by fontconfig where
# DejaVu has no glyph (a name in those scripts would otherwise print as boxes).
fonts:
	@if { ! fc-list "DejaVu Sans" | grep -q . || ! fc-list :lang=zh | grep -q .; } && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing the fonts of the signed PDFs (fonts-dejavu-core, fonts-wqy-microhei)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fontconfig fonts-dejavu-core fonts-wqy-microhei >/dev/null; \
	elif ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		echo "Note: no Chinese/Japanese/Korean font installed (fonts-wqy-microhei): such names would print as boxes in the PDFs."; \
	fi

migrate: install
	$(BIN)/flask db upgrade

run: migrate
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

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
