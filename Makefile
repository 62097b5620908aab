# The only commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432
PYTEST_ARGS ?=

.PHONY: run test install lint typecheck pytest system-deps postgres browser clean

run: install
	$(BIN)/scriptsensei db upgrade
	$(BIN)/scriptsensei serve

test: install system-deps postgres lint typecheck pytest

# Reinstalled whenever pyproject.toml changes.
$(STAMP): pyproject.toml scripts/install-python.sh
	PYTHON=$(PYTHON) scripts/install-python.sh $(VENV) editable-dev
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy src

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Packages from Debian the tests need: Chromium for the browser tests, pg_dump/psql for
# backups (the PostgreSQL client), fonts for rendering sample prescriptions.
system-deps:
	@scripts/install-system-deps.sh

# A reachable PostgreSQL for the tests: start the local cluster, or install one.
postgres:
	@scripts/ensure-postgres.sh $(PG_HOST) $(PG_PORT)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-output
