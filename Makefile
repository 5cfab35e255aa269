# fitness_platform — every target creates the environment when it is missing.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export SPARK_LOCAL_IP ?= 127.0.0.1
export FITNESS_LOCAL_ROOT ?= $(CURDIR)/data
RAW := $(or $(FITNESS_RAW_PATH),$(FITNESS_LOCAL_ROOT)/raw)

.PHONY: env run dev test lint bench bench-quick audit clean

$(STAMP): pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	uv sync --frozen --all-extras --python "$$(command -v $(PYTHON) || command -v python3)"
	@touch $(STAMP)

env: $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml

run: env $(DAGSTER_HOME)/dagster.yaml ## generate the sample when the raw folder is empty, then run the main job
	@mkdir -p "$(RAW)"
	@if [ -z "$$(ls -A "$(RAW)" 2>/dev/null)" ]; then \
		echo "raw folder $(RAW) is empty: generating the reference-shape sample"; \
		$(BIN)/fitness-platform generate --out "$(RAW)"; \
	fi
	$(BIN)/fitness-platform run

dev: env $(DAGSTER_HOME)/dagster.yaml ## start the Dagster UI and daemon (sensors run by default)
	@mkdir -p "$(RAW)"
	$(BIN)/dagster dev -w workspace.yaml

test: env ## lint, then the whole test suite
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: env
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: env ## the three shapes of docs/performance.md, median of 3 (about 6 min on 2 cores)
	$(BIN)/fitness-platform bench --users 1000 --days 365 --repeat 3
	$(BIN)/fitness-platform bench --users 10000 --days 365 --repeat 3 --no-dagster
	$(BIN)/fitness-platform bench --users 30000 --days 365 --repeat 3 --no-dagster

bench-quick: env ## one run of the reference shape (365,000 rows), with the Dagster run
	$(BIN)/fitness-platform bench

audit: env ## pip-audit against the lock file (needs the network for vulnerability data)
	uv export --frozen --all-extras --no-hashes --no-emit-project --format requirements-txt > $(VENV)/requirements.audit.txt
	uvx pip-audit --strict -r $(VENV)/requirements.audit.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
