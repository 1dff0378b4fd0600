# `make build` and `make test` each set everything up first: system packages, then .venv and
# node_modules (the HTML checker of the browser tests). `make serve` previews the site while you edit.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
PORT ?= 8000

.PHONY: build test serve bench setup system clean

build: setup
	$(PY) pipeline.py build $(BUILD_ARGS)

test: setup
	$(PY) -m pytest

serve: setup
	$(PY) pipeline.py serve --port $(PORT)

# A benchmark, not a test: N copies of the sample document, cold, no-op and one-file builds,
# and leaflets beside plain WeasyPrint; then sites of 200 and 400 distinct documents (and of the 2
# samples alone, the reference for one edit), every step of the author's loop timed with its peak
# memory, the preview included, against the targets. Figures are recorded in the README.
bench: setup
	$(PY) bench/bench.py $(BENCH_ARGS)
	$(PY) bench/bench.py --site 2,200,400

# The package's bytecode, as pip compiles the libraries': where PYTHONDONTWRITEBYTECODE is set,
# each command would compile it again (0.1 s). A stale file is recompiled in memory, never used.
setup: system $(STAMP) $(NODE_STAMP)
	@$(PY) -m compileall -q healthpub

system:
	@sh scripts/system-packages.sh

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# vnu.jar from package-lock.json, whenever node_modules is missing or older than the lock.
# --ignore-scripts: vnu-jar's postinstall would download a Java runtime; Debian's runs it.
$(NODE_STAMP): package-lock.json | system
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

clean:
	rm -rf output .cache
