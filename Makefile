# Everything goes through .venv, which `bootstrap` creates and keeps current.
# `make test` on a fresh clone sets itself up (venv, torch, deps, graphviz).
#
#   make test  PYTEST_ARGS="-k graph -x"   extra pytest arguments (PYTEST_JOBS=0: no workers)
#   make bootstrap PYTHON=python3.12       interpreter used to create .venv

SHELL       := bash
PYTHON      ?= python3
VENV        := .venv
VPY         := $(VENV)/bin/python
COURSE      := $(VENV)/bin/course
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help bootstrap test demo build clean distclean

help:
	@echo "make demo        set up, then run the course demo"
	@echo "make test        set up, then run the test suite (PYTEST_ARGS=...)"
	@echo "make bootstrap   create/refresh .venv and check for graphviz"
	@echo "make build       build the course (.venv/bin/course build)"
	@echo "make clean       remove generated outputs (keeps .venv)"
	@echo "make distclean   clean, and remove .venv too"

# Phony on purpose: the script itself is idempotent and returns in well under
# a second when .venv/.bootstrap-stamp matches pyproject.toml.
bootstrap:
	@PYTHON="$(PYTHON)" bash scripts/bootstrap.sh

# On every core (pytest-xdist): modules whose fixtures are costly to build stay on one
# worker (their xdist_group mark), the rest spread test by test. PYTEST_JOBS=0 runs in one process.
PYTEST_JOBS ?= auto

test: bootstrap
	$(VPY) -m pytest -q -p xdist.plugin -n $(PYTEST_JOBS) --dist loadgroup --target=solutions $(PYTEST_ARGS)

demo: bootstrap
	$(COURSE) demo

build: bootstrap
	$(COURSE) build

clean:
	rm -rf demo out .grading build dist .pytest_cache *.egg-info grading/*.egg-info
	find . -path ./$(VENV) -prune -o -path ./.git -prune -o \
	  \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -print0 \
	  | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV)
