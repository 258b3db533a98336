# mcp-atlassian — every target installs what it needs, idempotently and quietly.
# `make test` and `make lint` are what CI runs (.ci/run).

SHELL      := /bin/bash
CARGO      ?= cargo
MUSL       := x86_64-unknown-linux-musl
STATIC_BIN := target/$(MUSL)/release/mcp-atlassian
VENV       := .venv
PY         := $(VENV)/bin/python
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_STAMP  := target/.apt-stamp

.PHONY: build static test test-rust test-e2e net-tools lint bench demo clean

build:
	$(CARGO) build --release --bins

# A fully static binary for Alpine and scratch images.
static:
	@rustup target list --installed | grep -qx $(MUSL) || rustup target add $(MUSL) >/dev/null
	@command -v musl-gcc >/dev/null || scripts/apt-install.sh musl-tools
	CC_x86_64_unknown_linux_musl=musl-gcc $(CARGO) build --release --target $(MUSL) --bin mcp-atlassian
	@file $(STATIC_BIN) | grep -q 'static' || { echo "error: $(STATIC_BIN) is not statically linked"; file $(STATIC_BIN); exit 1; }
	@echo "static binary: $(STATIC_BIN) ($$(stat -c %s $(STATIC_BIN)) bytes, $$(file -b $(STATIC_BIN) | cut -d, -f1-2))"

# The Python venv with the official MCP SDK used by the end-to-end tests.
$(VENV)/.stamp: tests/e2e/requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -r tests/e2e/requirements.txt
	@touch $@

test: test-rust test-e2e

# Loopback network parts for the HTTP client tests: an HTTP CONNECT proxy, a SOCKS5 proxy, openssl.
net-tools:
	@command -v tinyproxy >/dev/null && command -v microsocks >/dev/null && command -v openssl >/dev/null \
	  || scripts/apt-install.sh tinyproxy-bin microsocks openssl

test-rust: net-tools
	$(CARGO) test --all-targets -q

test-e2e: $(VENV)/.stamp
	$(CARGO) build -q --bin mcp-atlassian
	MCP_ATLASSIAN_BIN=$(CURDIR)/target/debug/mcp-atlassian $(PY) -m pytest -q tests/e2e

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy -q --all-targets -- -D warnings

# Start-up time and memory of the static binary: numbers, never assertions.
bench: static
	@command -v hyperfine >/dev/null || scripts/apt-install.sh hyperfine
	@test -x /usr/bin/time || scripts/apt-install.sh time
	scripts/bench.sh $(STATIC_BIN)

demo:
	$(CARGO) build -q --bin mcp-atlassian
	python3 scripts/demo.py target/debug/mcp-atlassian

clean:
	$(CARGO) clean
	rm -rf $(VENV)
