# Two commands do all set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
INDEX ?= data/index
# requirements.lock pins every runtime and dev dependency with hashes, for every platform.
# uv writes it and installs from it; uv resolves against PyPI alone (it never reads pip's
# settings), so the lock is what any fresh machine gets. `make lock` refreshes it.
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
LOCK := requirements.lock
LOCK_OPTIONS := --extra dev --universal --python-version 3.11 --generate-hashes
# On every core (pytest-xdist), whole modules per worker, those holding slow tests first (the
# order tests/conftest.py gives); `make test PARALLEL=` runs in one process.
PARALLEL ?= -n auto --dist loadfile --no-loadscope-reorder

.PHONY: install lock check-lock check-latest wheel serve demo test test-fast lint format bench eval soak attack cluster-test clean

install: $(STAMP)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)

$(STAMP): $(LOCK) pyproject.toml | $(UV)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes --compile-bytecode $(LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

lock: $(UV)
	$(UV) pip compile --quiet pyproject.toml $(LOCK_OPTIONS) -o $(LOCK)

check-lock: install
	$(BIN)/python -m pytest -q tests/test_lock.py

# dist/archive_search-<version>-py3-none-any.whl and the sdist, what a user installs.
wheel: $(UV)
	rm -rf dist
	$(UV) build --quiet --out-dir dist

# The newest versions pyproject.toml allows, in a throwaway venv, against the fast tests:
# the next breakage shows here before a user meets it. Not part of `make test`.
check-latest: $(UV)
	@venv=$$(mktemp -d) && trap 'rm -rf "$$venv"' EXIT && \
	$(UV) venv --quiet --python $(PYTHON) "$$venv" && \
	$(UV) pip install --quiet --python "$$venv/bin/python" --upgrade '.[dev]' && \
	"$$venv/bin/python" -m pytest -q $(PARALLEL) -m "not slow" -p no:cacheprovider --ignore=tests/test_lock.py

demo: install
	@test -f $(INDEX)/archive-search.json || $(BIN)/archive-search demo --index $(INDEX)

serve: demo
	$(BIN)/archive-search serve --index $(INDEX)

test: install
	$(BIN)/python -m pytest -q $(PARALLEL)

test-fast: install
	$(BIN)/python -m pytest -q $(PARALLEL) -m "not slow"

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
	$(BIN)/python bench/entity_pages.py
	$(BIN)/python bench/widget.py
	$(BIN)/python bench/analytics.py
	$(BIN)/python bench/languages.py

eval: install
	$(BIN)/python eval/entities.py
	$(BIN)/python eval/entities_ru.py
	$(BIN)/python eval/facets.py
	$(BIN)/python eval/ir.py
	$(BIN)/python eval/similar.py
	$(BIN)/python eval/language.py

clean:
	rm -rf $(VENV) $(TOOLS) build dist *.egg-info .pytest_cache .ruff_cache

soak: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/soak.py

cluster-test: install
	@command -v wrk >/dev/null && command -v haproxy >/dev/null && command -v rsync >/dev/null \
		|| (apt-get update -qq && apt-get install -y -qq wrk haproxy rsync)
	$(BIN)/python bench/cluster.py

attack: install
	$(BIN)/python bench/attack.py
