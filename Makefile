# hecbot: `make run` to chat with the bot, `make test` to run the tests. `make help` lists all.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.hecbot-synced

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv installs the locked dependencies; a .venv made by uv itself has no pip, so add it first.
	@test -x $(BIN)/uv || { $(BIN)/python -m pip --version >/dev/null 2>&1 \
		|| $(BIN)/python -m ensurepip --upgrade >/dev/null; \
		$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"; }
	@# Byte-code is compiled once here: where PYTHONDONTWRITEBYTECODE is set (as on the project's
	@# machines) Python would otherwise compile every imported module from source in every process,
	@# about a second of each `hecbot` command and of each bot the tests start.
	@VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/uv sync --frozen --inexact --quiet --compile-bytecode --python $(BIN)/python
	@$(BIN)/python -m compileall -q bot handlers knowledge bench >/dev/null
	@touch $@

install: $(STAMP) ## Create .venv and install hecbot with its locked dependencies

run: install ## Index the bundled sample unless the index holds your own, then start the bot (terminal chat without BOT_TOKEN)
	@$(BIN)/hecbot kb index --bundled --unless-own
	@$(BIN)/hecbot run

chat: install ## Chat with the bot in this terminal
	@$(BIN)/hecbot kb index --bundled --unless-own
	@$(BIN)/hecbot chat

# Tests run in pytest-xdist processes, one more than the cores (at most 4: each holds PostgreSQL
# connections and a loaded model): a worker alone kept 0.68 of a core busy, the rest of the
# time it waits for the bot, a subprocess or the delivery worker, and the extra one fills that.
# TEST_WORKERS=0 runs them in this process, one after another.
# worksteal: a worker that runs out takes half of another's queue. The default (`load`) hands
# out long runs of tests ahead; one worker was seen idle for the last half of a run.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PYTEST_PARALLEL := -n $(TEST_WORKERS) --maxprocesses 4 --dist worksteal

test: install ## Run the test suite without the tests marked slow (what CI runs), with coverage
	$(BIN)/pytest -m "not slow" $(PYTEST_PARALLEL) --cov --cov-report=term --durations=20

test-all: install ## Run every test, the slow ones too (service restarts, load and crash runs)
	$(BIN)/pytest $(PYTEST_PARALLEL)

check: install ## Formatting, lint and type checks
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy bot handlers knowledge bench

format: install ## Format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## All benchmarks (figures for docs/benchmarks.md; about 30 minutes)
	$(BIN)/python -m bench knowledge
	$(BIN)/python -m bench courses
	$(BIN)/python -m bench delivery --kills 2
	$(BIN)/python -m bench load
	$(BIN)/python -m bench load -n 1 --rate 50
	$(BIN)/python -m bench load -n 1 --rate 50 --mix distinct
	$(BIN)/python -m bench load -n 1 -n 2 --mix distinct --pin
	$(BIN)/python -m bench.broadcast_and_questions --recipients $(or $(RECIPIENTS),10000) --questions-per-second 4
	$(BIN)/python -m bench.broadcast_and_questions --recipients $(or $(RECIPIENTS),10000) --questions-per-second 4 --workers 2
	$(BIN)/python -m bench.paid_throughput --messages 10000 --workers 1 --workers 2
	$(BIN)/python -m bench sustained
	$(BIN)/python -m bench ceiling
	$(BIN)/python -m bench startup
	$(BIN)/python -m bench index
	$(BIN)/python -m bench licences --rows 300000

clean: ## Remove the virtual environment and caches (keeps ./data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

bench-delivery: install ## Broadcast delivery benchmark: 10,000 learners, about 8 minutes (KILLS=2 kills the worker twice)
	$(BIN)/python -m bench.delivery --recipients 10000 --kills $(or $(KILLS),0)

bench-licences: install ## Licences: import a 300,000-row Coursera report (seconds, peak memory), funnel, a nudge wave
	$(BIN)/python -m bench licences --rows $(or $(ROWS),300000)

.PHONY: help install run chat test test-all check format bench bench-delivery bench-licences clean
