# Two commands set everything up: `make run` and `make test` (see README).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
# loopback only unless asked: HOST=0.0.0.0 make run exposes the app (and its demo accounts) to the network
HOST   ?= 127.0.0.1

.PHONY: run test bench install dev migrate seed simulate clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

migrate: install
	$(PY) -m orchestrator db upgrade

seed: migrate
	$(PY) -m orchestrator seed --demo

## make run: install, migrate, seed demo data, serve the app, the API (/api/v1), the gateway (/v1) and the
## sign-in routes (/auth) on one port, on the offline engine (HOST=127.0.0.1, PORT=8501)
run: seed
	$(PY) -m streamlit run app.py --server.address $(HOST) --server.port $(PORT) --server.headless true

## make test: install dev tools and run the whole suite (SQLite; PostgreSQL too if TEST_DATABASE_URL is set)
test: dev
	$(PY) -m pytest

## make bench: analytics and pipeline benchmarks (ratios against a baseline measured in the same run)
bench: dev
	$(PY) -m bench

simulate: install
	$(PY) -m orchestrator simulate --port 8765

clean:
	rm -rf $(VENV) .pytest_cache
