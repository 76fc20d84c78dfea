# cloud_design.platform: every entry point sets itself up (venv, collection link) first.
#   make demo   deploy the platform onto the embedded AWS endpoint and print what was built
#   make test   the whole suite: lint, sanity, unit, molecule, end-to-end
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
ENDPOINT_PORT ?= 5000
export ENDPOINT_PORT
export PLATFORM_VENV := $(CURDIR)/$(VENV)
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
# Mitogen's strategy for what make runs (ansible.cfg keeps Ansible's own): ANSIBLE_STRATEGY=linear make ... runs without it.
ANSIBLE_STRATEGY ?= platform_linear
export ANSIBLE_STRATEGY
INVENTORY ?= inventories/local
PLAYBOOK_ARGS ?=
# The embedded endpoint starts only for an inventory that names it (inventories/local); a real account's is left alone.
TARGET := $(if $(shell grep -rqs platform_aws_endpoint_url $(INVENTORY) && echo yes),endpoint,venv)

.PHONY: help venv endpoint stop demo deploy summary plan verify destroy faults test lint sanity unit molecule e2e bench scan clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

venv: ## create the Python 3.12+ virtual environment and link the collection (idempotent)
	@bash tools/bootstrap.sh

endpoint: venv ## start the embedded AWS endpoint (ENDPOINT_PORT, default 5000)
	@$(BIN)/python tools/endpoint.py start --port $(ENDPOINT_PORT)

stop: ## stop the embedded AWS endpoint
	@if [ -x $(BIN)/python ]; then $(BIN)/python tools/endpoint.py stop --port $(ENDPOINT_PORT); fi

demo: endpoint ## deploy the platform onto the embedded endpoint and print a summary
	$(BIN)/ansible-playbook playbooks/site.yml -i $(INVENTORY) $(PLAYBOOK_ARGS)
	@$(BIN)/ansible-playbook playbooks/summary.yml -i $(INVENTORY)
	@echo "The endpoint keeps running at http://127.0.0.1:$(ENDPOINT_PORT) (make stop ends it)."

deploy: $(TARGET) ## converge playbooks/site.yml on INVENTORY (the endpoint only for the one that names it)
	$(BIN)/ansible-playbook playbooks/site.yml -i $(INVENTORY) $(PLAYBOOK_ARGS)

summary: $(TARGET) ## print what INVENTORY's environment has, read through the AWS API
	@$(BIN)/ansible-playbook playbooks/summary.yml -i $(INVENTORY)

plan: $(TARGET) ## what a converge would create, change or remove, per role (check mode with diff)
	@$(BIN)/python tools/plan.py -i $(INVENTORY) $(PLAYBOOK_ARGS)

verify: $(TARGET) ## audit the live platform against its design; report and architecture diagram in reports/
	$(BIN)/ansible-playbook playbooks/verify.yml -i $(INVENTORY) $(PLAYBOOK_ARGS)

destroy: $(TARGET) ## remove INVENTORY's environment (playbooks/destroy.yml; what it keeps unless asked: README)
	$(BIN)/ansible-playbook playbooks/destroy.yml -i $(INVENTORY) $(PLAYBOOK_ARGS)

test: venv ## run the whole test suite (what CI runs)
	@bash tools/test.sh

lint: venv ## ansible-lint, production profile
	@bash tools/test.sh lint

sanity: venv ## ansible-test sanity on the collection
	@bash tools/test.sh sanity

unit: venv ## pytest unit tests of the modules and filters
	@bash tools/test.sh unit

molecule: venv ## molecule scenario of every role against a private endpoint
	@bash tools/test.sh molecule

e2e: venv ## end-to-end runs of playbooks/site.yml against a private endpoint
	@bash tools/test.sh e2e

scan: venv ## Prowler's FSBP and CIS checks on a prod-like deployment; every failure must have its line in docs/security.md
	@$(BIN)/python tools/scan.py

faults: venv ## converge through the fault-injection proxy against a fault-free reference; faults, outcomes, duplicates
	@$(BIN)/python tools/faults.py $(PLAYBOOK_ARGS)

bench: venv ## time fresh, no-op, --check and each role alone; module invocations, API calls, ratio to the floor
	@$(BIN)/python tools/bench.py

clean: stop ## remove the venv, the collection link and test output
	rm -rf $(VENV) .collections .endpoint .cache tests/output build
