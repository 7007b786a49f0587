# The only entry point. `make run` serves on http://localhost:$(PORT); `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := backend/.venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.installed
CLI := $(BIN)/mnp-chatbot
PYTEST_ARGS ?=
FRONTEND_DEPS := frontend/node_modules/.package-lock.json
FRONTEND_BUILT := frontend/dist/.built
FRONTEND_SOURCES := $(shell find frontend/src frontend/admin frontend/public frontend/scripts -type f 2>/dev/null) \
	$(wildcard frontend/*.html frontend/*.ts frontend/*.json)

.PHONY: setup frontend frontend-check api-types api-types-check browser deploy-tools deploy-check run migrate seed sql lint typecheck test pytest eval \
	bench-retrieval bench-chat bench-line bench-load clean

setup: $(STAMP)

$(STAMP): backend/requirements.lock backend/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.8
	$(UV) pip sync -q --python $(BIN)/python backend/requirements.lock
	$(UV) pip install -q --python $(BIN)/python --no-deps --config-settings editable_mode=compat -e backend
	touch $(STAMP)

$(FRONTEND_DEPS): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error

frontend: $(FRONTEND_BUILT)

$(FRONTEND_BUILT): $(FRONTEND_DEPS) $(FRONTEND_SOURCES)
	cd frontend && npm run build
	touch $(FRONTEND_BUILT)

frontend-check: $(FRONTEND_DEPS) api-types-check
	cd frontend && npm run lint && npm test

# The front end's API types, generated from the app's OpenAPI document (openapi-typescript, pinned in
# frontend/package.json). `make api-types` rewrites them; `make api-types-check` fails when they are stale.
API_TYPES := frontend/src/api/generated.ts

api-types: setup $(FRONTEND_DEPS)
	bash scripts/api-types.sh $(API_TYPES)

api-types-check: setup $(FRONTEND_DEPS)
	bash scripts/api-types.sh --check $(API_TYPES)

browser:
	bash scripts/install-browser.sh

deploy-tools:
	bash scripts/install-deploy-tools.sh

# The deployment checks alone (image build-and-run, hadolint, compose schema, k8s, actionlint, promtool, amtool)
deploy-check: setup deploy-tools
	cd backend && MNP_DEPLOY_REQUIRED=1 .venv/bin/pytest tests/deploy -q

run: setup frontend
	$(CLI) migrate
	$(CLI) seed
	$(CLI) serve

migrate: setup
	$(CLI) migrate

seed: setup
	$(CLI) seed

lint: setup
	cd backend && .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports --no-cache --no-logo

typecheck: setup
	cd backend && .venv/bin/mypy mnp_chatbot tests scripts

pytest: setup frontend browser deploy-tools
	cd backend && MNP_E2E_REQUIRED=1 MNP_DEPLOY_REQUIRED=1 .venv/bin/pytest $(PYTEST_ARGS)

test: lint typecheck frontend-check pytest

eval: setup
	cd backend && .venv/bin/python -m scripts.evaluate

bench-retrieval: setup
	cd backend && .venv/bin/python -m scripts.bench_retrieval

sql: setup
	cd backend && .venv/bin/python -m scripts.generate_sql

bench-chat: setup
	scripts/install-wrk.sh
	cd backend && .venv/bin/python -m scripts.bench_chat

bench-line: setup
	cd backend && .venv/bin/python -m scripts.bench_line

# The production topology on loopback (scripts/stack.sh) under customer load: steps for 1 and 2 workers,
# 10,000 idle socket.io clients, a soak of SOAK_MINUTES (20). One stack per machine: holds STACK_LOCK.
# BENCH_LOAD_ARGS picks parts, e.g. "--only soak --soak-users 60"; see backend/scripts/bench_load.py.
STACK_LOCK ?= $(abspath ..)/.stack.lock
SOAK_MINUTES ?= 20
BENCH_LOAD_ARGS ?=
bench-load: setup frontend
	cd backend && flock $(STACK_LOCK) .venv/bin/python -m scripts.bench_load --soak-minutes $(SOAK_MINUTES) $(BENCH_LOAD_ARGS)

clean:
	rm -rf $(VENV) backend/.pytest_cache backend/.mypy_cache backend/.ruff_cache frontend/node_modules frontend/dist
