# llmchat: `make run` to serve, `make test` to run every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
NPM_DIR := .mcp-servers
EVERYTHING := $(NPM_DIR)/node_modules/@modelcontextprotocol/server-everything/dist/index.js
EVERYTHING_VERSION := 2026.8.31

.PHONY: run test lint typecheck install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

$(EVERYTHING):
	mkdir -p $(NPM_DIR)
	cd $(NPM_DIR) && npm install --no-audit --no-fund --silent --prefix . @modelcontextprotocol/server-everything@$(EVERYTHING_VERSION)

install: $(STAMP)

install-dev: $(DEV_STAMP) $(EVERYTHING)

run: $(STAMP)
	$(BIN)/llmchat serve

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks docs
	$(BIN)/ruff format --check src tests benchmarks docs

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

test: install-dev lint typecheck
	LLMCHAT_EVERYTHING_JS=$(abspath $(EVERYTHING)) $(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(NPM_DIR) .pytest_cache .mypy_cache .ruff_cache

# Benchmarks (docs/benchmarks.md): starts the fake LLM, server-everything and the service on 127.0.0.1.
.PHONY: bench
bench: install-dev
	LLMCHAT_EVERYTHING_JS=$(abspath $(EVERYTHING)) $(BIN)/python -m benchmarks $(BENCH_ARGS)
