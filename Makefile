# farmcalc — two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
# `make run PORT=5001` when port 5000 is taken (HOST=0.0.0.0 only behind a proxy).
PORT ?= 5000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev,dask]'
	$(BIN)/python -c 'from farmcalc.i18n import compile_catalogs; compile_catalogs()'
	touch $(STAMP)

# The web app on SQLite (instance/farmcalc.sqlite) with demo users and farms.
run: $(STAMP)
	$(BIN)/farmcalc demo
	$(BIN)/farmcalc serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --cov --cov-report=term:skip-covered

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/bench_core.py
	$(BIN)/python bench/bench_excel.py
	$(BIN)/python bench/bench_web.py
	$(BIN)/python bench/bench_aggregate.py
	$(BIN)/python bench/bench_load.py
	$(BIN)/python bench/bench_uncertainty.py

# Babel workflow: English msgids in code, Swedish in translations/sv.
# Extract, update the catalogue (optionally filling it from JSON files: make
# messages SV=new.json), list what is untranslated, and compile.
messages: $(STAMP)
	$(BIN)/python tools/i18n_update.py $(SV)
	$(BIN)/python -c 'from farmcalc.i18n import compile_catalogs; compile_catalogs()'

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info
