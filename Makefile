# partner_analytics — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLE := data/sample

.DEFAULT_GOAL := help
.PHONY: help reports test lab check sample clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "partner_analytics needs Python 3.11 or newer: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

$(SAMPLE)/contract.yaml: $(wildcard partner_analytics/sample/*.py) | $(VENV)/.installed
	$(BIN)/partner-analytics sample --out $(SAMPLE)

sample: $(SAMPLE)/contract.yaml ## Generate the sample engagement into data/sample (if absent or stale)

reports: $(VENV)/.installed $(SAMPLE)/contract.yaml ## Set up and run the sample's latest complete quarter, every committee, into reports/ (HTML; with Chromium also PDF and the committee packs; LANGUAGE=fr: in French)
	$(BIN)/partner-analytics cycle $(or $(PERIOD),latest-quarter) --engagement $(SAMPLE) --committee all --out reports $(if $(LANGUAGE),--language $(LANGUAGE))

check: $(VENV)/.installed ## Validate an engagement: make check ENGAGEMENT=data/acme
	$(BIN)/partner-analytics check --engagement $(or $(ENGAGEMENT),$(SAMPLE))

test: $(VENV)/.installed-test $(SAMPLE)/contract.yaml ## Set up with the test extras and run the whole test suite, notebooks included
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --ignore=tests/notebooks tests notebooks

lab: $(VENV)/.installed $(SAMPLE)/contract.yaml ## Open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

clean: ## Remove the virtual environment, the generated sample and reports
	rm -rf $(VENV) $(SAMPLE)/*.parquet $(SAMPLE)/*.csv $(SAMPLE)/*.xlsx $(SAMPLE)/contract.yaml $(SAMPLE)/exports reports/*/
