# Two commands do all set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
INDEX ?= data/index

.PHONY: install serve demo test test-fast lint format bench eval soak attack clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	@test -f $(INDEX)/archive-search.json || $(BIN)/archive-search demo --index $(INDEX)

serve: demo
	$(BIN)/archive-search serve --index $(INDEX)

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/entities.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/widget.py
	$(BIN)/python bench/analytics.py

eval: install
	$(BIN)/python eval/entities.py
	$(BIN)/python eval/ir.py
	$(BIN)/python eval/similar.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache

soak: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/soak.py

attack: install
	$(BIN)/python bench/attack.py
