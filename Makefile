# Two commands for a fresh machine: `make run` serves, `make test` tests.
# Both create .venv on first use and reuse it while pyproject.toml is unchanged.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test lint browser bench clean image image-test

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "shortener needs Python 3.11 or later as $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	exec $(BIN)/gunicorn --config gunicorn.conf.py app:app

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

# The browser tests drive the system's Chromium (Debian's `chromium` package)
# through Playwright; Playwright's own browser download is not used. Set
# CHROMIUM to use another Chromium binary.
CHROMIUM ?= $(shell command -v chromium || echo /usr/bin/chromium)
export CHROMIUM

browser:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=sudo; \
	else echo "The browser tests need Chromium, and none is at $(CHROMIUM)."; \
	     echo "Install it (Debian/Ubuntu: sudo apt-get install chromium), or set"; \
	     echo "CHROMIUM=/path/to/chromium, then run make test again."; exit 1; fi; \
	echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null
	@[ -x "$(CHROMIUM)" ] || { echo "Chromium is still missing at $(CHROMIUM)"; exit 1; }

test: lint browser
	$(BIN)/pytest

# The container image, built with docker or podman (whichever works here;
# CONTAINER_ENGINE=podman to choose). `make image-test` builds it and runs it
# as an operator would (.ci/image-test); it needs an engine, so `make test`
# does not run it.
IMAGE ?= shortener:latest
CONTAINER_ENGINE ?= $(shell if command -v docker >/dev/null && docker info >/dev/null 2>&1; \
	then echo docker; elif command -v podman >/dev/null; then echo podman; else echo docker; fi)

image:
	$(CONTAINER_ENGINE) build $(if $(filter podman,$(CONTAINER_ENGINE)),--format docker) -t $(IMAGE) .

image-test:
	CONTAINER_ENGINE=$(CONTAINER_ENGINE) IMAGE=$(IMAGE) .ci/image-test

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
