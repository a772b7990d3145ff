# One entry point for a fresh machine: `make demo` and `make test` (see README "Quick start").
# Two virtual environments: .venv for attest itself, .venv-checkov for checkov alone, because
# checkov pins old networkx/boto3 and ships an `hcl2` module that collides with python-hcl2.
PYTHON ?= python3
VENV := .venv
CHECKOV_VENV := .venv-checkov
STAMP := $(VENV)/.installed
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

.PHONY: setup demo test clean browser

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "attest needs Python 3.11 or newer" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

$(CHECKOV_STAMP): checkov-requirements.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r checkov-requirements.txt
	touch $@

# Headless Chromium for the HTML report tests (layout at 400 px, print, no network). Installed here,
# never by a test; where apt-get or root is missing, the browser tests skip (and fail under CI).
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null || \
	{ if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then apt-get install -y -q chromium || \
	  { apt-get update -q && apt-get install -y -q chromium; }; \
	  else echo "make: chromium not installed (needs apt-get as root); the browser tests will skip" >&2; fi; }

setup: $(STAMP) $(CHECKOV_STAMP) browser

demo: setup
	$(VENV)/bin/attest demo --output out

test: setup
	$(VENV)/bin/python -m pytest

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) out
