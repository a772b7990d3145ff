# One entry point for a fresh machine: `make demo` and `make test` (see README "Quick start").
# Two virtual environments: .venv for attest itself, .venv-checkov for checkov alone, because
# checkov pins old networkx/boto3 and ships an `hcl2` module that collides with python-hcl2.
PYTHON ?= python3
VENV := .venv
CHECKOV_VENV := .venv-checkov
STAMP := $(VENV)/.installed
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
BROWSERS := chromium chromium-browser google-chrome google-chrome-stable
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup browser demo lint typecheck test constraints check-wheel clean

# attest with the [sandbox] (local estate) and [test] (pytest, ruff, mypy, ...) extras, every file
# checked against its sha256 in constraints.txt (pip hash-checks no project directory, hence two steps).
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "attest needs Python 3.11 or newer" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r constraints.txt
	$(VENV)/bin/python -m pip install --quiet --no-deps -e '.[test]'
	$(VENV)/bin/python -m pip check
	touch $@

$(CHECKOV_STAMP): checkov-requirements.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r checkov-requirements.txt
	touch $@

# The HTML report tests load every page in headless Chromium; the tests never install it.
browser:
	@for b in $(BROWSERS); do command -v $$b >/dev/null 2>&1 && exit 0; done; \
	command -v apt-get >/dev/null 2>&1 || { echo "install Chromium or Google Chrome (the HTML report tests need one)" >&2; exit 2; }; \
	$(SUDO) apt-get install -y chromium || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

setup: $(STAMP) $(CHECKOV_STAMP) browser

demo: $(STAMP) $(CHECKOV_STAMP)
	$(VENV)/bin/attest demo --output out

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/python tools/typecheck.py

test: setup lint typecheck
	$(VENV)/bin/python -m pytest -n auto --dist loadfile

# Re-pin constraints.txt (versions and sha256) after changing the dependencies in pyproject.toml.
constraints: $(STAMP)
	$(VENV)/bin/python tools/lock_constraints.py

# The built wheel with [sandbox] in a new venv runs `attest demo` (minutes; not part of `make test`).
check-wheel: $(STAMP)
	$(VENV)/bin/python tools/check_wheel.py

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) out build/typecheck
