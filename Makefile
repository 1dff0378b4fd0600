# `make build` and `make test` each set everything up first: system packages, then .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: build test setup system clean

build: setup
	$(PY) pipeline.py build

test: setup
	$(PY) -m pytest

setup: system $(STAMP)

system:
	@sh scripts/system-packages.sh

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

clean:
	rm -rf output output.staging output.old
