# ti24 — set-up and the two jobs. Every target installs what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system-packages run test lint clean bench

# Python environment with the project and its development tools.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's chromium and fonts-nanum (Korean glyphs) for browser runs, when missing and installable.
system-packages:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	dpkg -s fonts-nanum >/dev/null 2>&1 || missing="$$missing fonts-nanum"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "note:$$missing missing and cannot be installed here (needs root and apt-get); browser runs will not work"; \
	fi

setup: $(STAMP) system-packages

# Main job: the whole specification against the embedded simulator: one verdict per requirement
# on the terminal and a compliance report folder under out/.
run: setup
	$(BIN)/ti24 check

# Tests: lint, unit tests and every scenario in-process, then every scenario again in Chromium.
test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest tests/acceptance --driver browser -n 2 --evidence-dir out/evidence

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info

# Benchmarks (not part of `make test`): every table; `make bench BENCH_ARGS="--only login --quick"`.
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)
