PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench bench-smoke clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/newsbot reindex
	$(BIN)/newsbot ask "What did Lukashenko tell Li Zhanshu?"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench-smoke: $(STAMP)
	$(BIN)/python -m bench.quality --smoke
	$(BIN)/python -m bench.speed --smoke
	$(BIN)/python -m bench.load --smoke
	$(BIN)/python -m bench.load --smoke --replicas 2
	$(BIN)/python -m bench.faults --smoke

clean:
	rm -rf $(VENV) .newsbot .pytest_cache .ruff_cache .mypy_cache
