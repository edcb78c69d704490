# The two commands of the README: `make run` and `make test`.
# Both create a virtual environment in .venv and install the project into it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install bench lint security translations

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m pytest tests/benchmarks -m benchmark -s

lint: install
	$(BIN)/ruff check .

# SQL injection scan with sqlmap (Debian package `sqlmap`) against a throw-away
# SQLite copy served on 127.0.0.1; on demand, not part of `make test`.
security: install
	$(BIN)/python tests/security/run_sqlmap.py

# Extract every marked string into messages.pot and merge it into the .po files
# of the six languages (new entries come with an empty msgstr for translators).
# The .mo files are compiled at start-up (portal.i18n), never committed.
TRANSLATIONS := platform/portal/translations
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --add-comments=Translators: \
		--no-wrap --sort-by-file --project="Capacity Match" -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-wrap --ignore-obsolete --no-fuzzy-matching
