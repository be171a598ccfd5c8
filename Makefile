# hecbot: `make run` to chat with the bot, `make test` to run every test. `make help` lists all.
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
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	@VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/uv sync --frozen --inexact --quiet --python $(BIN)/python
	@touch $@

install: $(STAMP) ## Create .venv and install hecbot with its locked dependencies

run: install ## Index the bundled knowledge base if needed, then start the bot (terminal chat without BOT_TOKEN)
	@$(BIN)/hecbot kb index --bundled
	@$(BIN)/hecbot run

chat: install ## Chat with the bot in this terminal
	@$(BIN)/hecbot kb index --bundled
	@$(BIN)/hecbot chat

test: install ## Run the whole test suite
	$(BIN)/pytest

check: install ## Formatting, lint and type checks
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy bot handlers knowledge

format: install ## Format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## All benchmarks (figures for docs/benchmarks.md; about 30 minutes)
	$(BIN)/hecbot bench knowledge
	$(BIN)/hecbot bench courses
	$(BIN)/hecbot bench delivery --kills 2
	$(BIN)/hecbot bench load

clean: ## Remove the virtual environment and caches (keeps ./data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

bench-delivery: install ## Broadcast delivery benchmark: 10,000 learners, about 8 minutes (KILLS=2 kills the worker twice)
	$(BIN)/python -m bot.bench_delivery --recipients 10000 --kills $(or $(KILLS),0)

.PHONY: help install run chat test check format bench bench-delivery clean
