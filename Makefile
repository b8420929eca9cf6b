PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench bench-smoke plain-install-check clean

# The exact, hashed versions of requirements-dev.lock (regenerate it with .ci/lock after changing
# pyproject.toml), then the project itself, editable, without resolving anything again.
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
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
	$(BIN)/python -m bench.followups --smoke
	$(BIN)/python -m bench.load --smoke --replicas 2
	$(BIN)/python -m bench.faults --smoke

# A plain `pip install .` (no lock) with the pip of a fresh Python 3.11.7 (23.2) must give a
# newsbot whose HTML ingest works (issue 9 item 17). Needs PyPI; CI runs it.
plain-install-check:
	rm -rf /tmp/newsbot-plain && $(PYTHON) -m venv /tmp/newsbot-plain
	/tmp/newsbot-plain/bin/pip install --quiet 'pip==23.2'
	/tmp/newsbot-plain/bin/pip install --quiet .
	cd /tmp && /tmp/newsbot-plain/bin/python -m bench.plain_install_check
	rm -rf /tmp/newsbot-plain

clean:
	rm -rf $(VENV) .newsbot .pytest_cache .ruff_cache .mypy_cache
