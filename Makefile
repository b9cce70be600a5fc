# thuvienso — the entry point for people. `make demo` serves the demo, `make test` runs the suite.
PYTHON ?= python3
MAKEFLAGS += --jobs=3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
MIRADOR := web/static/vendor/mirador/mirador.min.js
VALIDATOR := .iiif-validator/bin/iiif-validate.py

.PHONY: install demo test lint bench clean

$(BIN)/thuvienso: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/thuvienso
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(MIRADOR): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $@)
	cp node_modules/mirador/dist/mirador.min.js $@

$(VALIDATOR):
	$(PYTHON) -m venv .iiif-validator
	.iiif-validator/bin/pip install --quiet iiif-validator==1.0.5

install: $(BIN)/thuvienso $(MIRADOR)

demo: install
	$(BIN)/thuvienso init
	@if $(BIN)/thuvienso stats | grep -q '^items: 0$$'; then $(BIN)/thuvienso demo; fi
	$(BIN)/thuvienso serve --host 127.0.0.1 --port $(PORT) --workers 2

test: install $(VENV)/.test-deps $(VALIDATOR)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: install $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .iiif-validator node_modules web/static/vendor build *.egg-info
