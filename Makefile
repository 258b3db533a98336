# mcp-atlassian — every target installs what it needs, idempotently and quietly.
# `make test` and `make lint` are what CI runs (.ci/run).

SHELL      := /bin/bash
CARGO      ?= cargo
MUSL       := x86_64-unknown-linux-musl
# Where cargo puts what it builds: CARGO_TARGET_DIR when set (absolute or relative to this
# directory), else ./target. Every recipe below finds binaries through it.
TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),target))
STATIC_BIN := $(TARGET_DIR)/$(MUSL)/release/mcp-atlassian
VENV       := .venv
PY         := $(VENV)/bin/python
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_STAMP  := $(TARGET_DIR)/.apt-stamp

.PHONY: build static test test-rust test-e2e js-tools loadtest chaos net-tools lint bench bench-compare soak demo clean fuzz goldens sandbox \
        image image-prebuilt helm-lint release release-check lint-windows package-test package-tools install uninstall

build:
	$(CARGO) build --release --bins

# Install into $(DESTDIR)$(PREFIX)/bin (default /usr/local/bin): the static binary when
# `make static` built it, else a release build.
PREFIX ?= /usr/local
install:
	@if [ -x "$(STATIC_BIN)" ]; then src="$(STATIC_BIN)"; \
	  else $(CARGO) build -q --release --bin mcp-atlassian && src="$(TARGET_DIR)/release/mcp-atlassian"; fi; \
	  install -d "$(DESTDIR)$(PREFIX)/bin" && install -m 0755 "$$src" "$(DESTDIR)$(PREFIX)/bin/mcp-atlassian" && \
	  echo "installed $$src as $(DESTDIR)$(PREFIX)/bin/mcp-atlassian"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/mcp-atlassian"

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

# Loopback network parts for the HTTP tests: an HTTP CONNECT proxy, a SOCKS5 proxy, openssl, and
# nginx (round-robin in front of three stateless servers).
net-tools:
	@command -v tinyproxy >/dev/null && command -v microsocks >/dev/null && command -v openssl >/dev/null \
	  && command -v nginx >/dev/null || scripts/apt-install.sh tinyproxy-bin microsocks openssl nginx-light

test-rust: net-tools
	$(CARGO) test --all-targets -q

# Third-party JS clients (TypeScript SDK, Inspector CLI with its Node 22, conformance suite),
# pinned in tests/e2e/js/package.json and its lock file, installed into a scratch dir.
JS_DIR := $(TARGET_DIR)/e2e-js
$(JS_DIR)/.stamp: tests/e2e/js/package.json tests/e2e/js/package-lock.json
	@mkdir -p $(JS_DIR) && cp tests/e2e/js/package.json tests/e2e/js/package-lock.json $(JS_DIR)/
	@cd $(JS_DIR) && npm install --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

js-tools: $(JS_DIR)/.stamp

test-e2e: net-tools $(VENV)/.stamp $(JS_DIR)/.stamp
	$(CARGO) build -q --bins
	MCP_ATLASSIAN_BIN=$(TARGET_DIR)/debug/mcp-atlassian MCP_ATLASSIAN_JS_DIR=$(JS_DIR) $(PY) -m pytest -q tests/e2e

# Bounded load runs of the HTTP transports on loopback against the sandbox (numbers, not
# assertions beyond errors, hangs and leaks): concurrent SDK clients (calls/s, latency
# percentiles, threads, RSS) on the release build, then 1,000 idle sockets against /healthz.
LOAD_SESSIONS ?= 20
LOAD_CALLS    ?= 25
loadtest: $(VENV)/.stamp
	$(CARGO) build -q --release --bins
	@for mode in "streamable-http" "streamable-http --stateless" "sse"; do \
	  MCP_ATLASSIAN_BIN=$(TARGET_DIR)/release/mcp-atlassian \
	    $(PY) tests/e2e/loadtest.py $(LOAD_SESSIONS) $(LOAD_CALLS) $$mode || exit 1; \
	done
	IDLE_SOCKETS=1000 MCP_ATLASSIAN_BIN=$(TARGET_DIR)/release/mcp-atlassian \
	  $(PY) -m pytest -q -s tests/e2e/test_http_limits.py

# Slow attacks on the HTTP transport (issue #17), each with /healthz probed every 50 ms from
# another client: uploads and request heads trickled past their deadlines, 300 slowloris
# sockets, 10,000 initialize calls with distinct tokens, 79,000-item batches; then (issue #15)
# CHAOS_SESSIONS sessions of reads and marked writes for CHAOS_SECONDS while the sandbox injects
# 429/500/502/503, slow answers, resets and truncated bodies (every write checked in the
# sandbox's state after), and 50 users with their own credentials at once (zero cross-user
# answers). Reports: $(TARGET_DIR)/chaos/*.md. (tests/e2e/chaos/, collected only with
# MCP_CHAOS=1; the fast attacks run in `make test`.)
CHAOS_SESSIONS ?= 16
CHAOS_SECONDS  ?= 60
chaos: $(VENV)/.stamp
	$(CARGO) build -q --bins
	MCP_CHAOS=1 MCP_ATLASSIAN_BIN=$(TARGET_DIR)/debug/mcp-atlassian CHAOS_REPORT_DIR=$(TARGET_DIR)/chaos \
	  CHAOS_SESSIONS=$(CHAOS_SESSIONS) CHAOS_SECONDS=$(CHAOS_SECONDS) $(PY) -m pytest -q -s tests/e2e/chaos

# The reference server (PyPI mcp-atlassian 0.23.1) in a scratch venv, for `make bench-compare`.
REF_VENV := $(TARGET_DIR)/ref-venv
$(REF_VENV)/.stamp:
	@test -x $(REF_VENV)/bin/python || python3 -m venv $(REF_VENV)
	@$(REF_VENV)/bin/pip install -q --disable-pip-version-check mcp-atlassian==0.23.1
	@touch $@

# This server (release build) and the reference side by side against the sandbox, both
# flavours: start-up, RSS, sizes, tools/list and result bytes, upstream requests, stateless HTTP
# load, overhead per call. One Markdown table with ratios in $(BENCH_REPORT); numbers, never
# assertions (tests/bench/compare.py says how each is measured).
BENCH_REPORT ?= $(TARGET_DIR)/bench/compare.md
bench-compare: $(REF_VENV)/.stamp
	$(CARGO) build -q --release --bins
	python3 tests/bench/compare.py $(TARGET_DIR)/release/mcp-atlassian $(REF_VENV)/bin/mcp-atlassian \
	  $(TARGET_DIR)/release/atlassian-sandbox $(BENCH_REPORT)

# SOAK_MINUTES of mixed calls over HTTP (release build); RSS, threads and fds sampled each
# minute must end flat. Report, samples and plot in $(TARGET_DIR)/soak/.
SOAK_MINUTES ?= 30
$(VENV)/.bench-stamp: $(VENV)/.stamp tests/bench/requirements.txt
	@$(PY) -m pip install -q --disable-pip-version-check -r tests/bench/requirements.txt
	@touch $@
soak: $(VENV)/.bench-stamp
	$(CARGO) build -q --release --bins
	SOAK_MINUTES=$(SOAK_MINUTES) $(PY) tests/bench/soak.py $(TARGET_DIR)/release/mcp-atlassian \
	  $(TARGET_DIR)/release/atlassian-sandbox $(TARGET_DIR)/soak

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy -q --all-targets -- -D warnings
	@command -v shellcheck >/dev/null || scripts/apt-install.sh shellcheck
	shellcheck $$(git ls-files '*.sh') .ci/run

# Start-up time and memory of the static binary: numbers, never assertions.
bench: static
	@command -v hyperfine >/dev/null || scripts/apt-install.sh hyperfine
	@test -x /usr/bin/time || scripts/apt-install.sh time
	scripts/bench.sh $(STATIC_BIN)

# The fake Jira + Confluence on loopback (FLAVOUR=cloud|server, PORT=0 picks a free port,
# SANDBOX_USER=alice): prints, in a form a shell can eval (the first line is a comment), the
# variables that point mcp-atlassian at it, and serves until Ctrl-C.
sandbox:
	@$(CARGO) build -q --bin atlassian-sandbox
	@$(TARGET_DIR)/debug/atlassian-sandbox --flavour $(or $(FLAVOUR),cloud) --port $(or $(PORT),0) --env $(or $(SANDBOX_USER),alice) \
	  | sed -u '1s/^/# /'

demo:
	$(CARGO) build -q --bins
	python3 scripts/demo.py $(TARGET_DIR)/debug

# Fuzz every content converter (each also checks the round-trip property, convert::roundtrip),
# the JSON-RPC framing and dispatch, the .env parser and argument validation for FUZZ_SECONDS
# each (cargo-fuzz, libFuzzer), seeded with the conversion and round-trip corpora and fuzz/seeds/
# (crash inputs found so far are kept there as regression seeds). Uses the nightly toolchain when installed, else the stable one with
# RUSTC_BOOTSTRAP=1 (cargo-fuzz needs unstable compiler flags; rustup cannot download toolchains here).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= markdown adf wiki storage jsonrpc dotenv validate
FUZZ_TOOLCHAIN := $(shell rustup toolchain list 2>/dev/null | grep -q '^nightly' && echo +nightly)
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install -q cargo-fuzz --locked
	$(CARGO) build -q --bin mcp-atlassian
	@for t in markdown wiki storage; do mkdir -p fuzz/corpus/$$t && cp fixtures/convert/corpus/$$t/* fuzz/corpus/$$t/; done
	@cp fixtures/convert/roundtrip/*.md fuzz/corpus/markdown/
	@mkdir -p fuzz/corpus/adf && for f in fixtures/convert/corpus/markdown/*.md fixtures/convert/roundtrip/*.md; do \
	  $(TARGET_DIR)/debug/mcp-atlassian convert --from markdown --to adf < $$f > fuzz/corpus/adf/$$(basename $$f .md).json; done
	@for t in jsonrpc dotenv validate; do mkdir -p fuzz/corpus/$$t && cp fuzz/seeds/$$t/* fuzz/corpus/$$t/; done
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $$t for $(FUZZ_SECONDS) s"; \
	  (cd fuzz && $(if $(FUZZ_TOOLCHAIN),,RUSTC_BOOTSTRAP=1) cargo $(FUZZ_TOOLCHAIN) fuzz run $$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=2048); \
	done

# Regenerate the conversion goldens with the reference converters (npm + PyPI, into a scratch dir).
goldens:
	tests/oracles/regenerate.sh

clean:
	$(CARGO) clean
	rm -rf $(VENV)

# ---- Packaging: container image, Helm chart, release binaries (see README "Deployment") ----------

VERSION   := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
REVISION  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
IMAGE     ?= mcp-atlassian:$(VERSION)
# Extra arguments for the image build, e.g. IMAGE_BUILD_ARGS='--build-arg ALPINE_IMAGE=my/alpine:3.22'.
IMAGE_BUILD_ARGS ?=
PKG_BIN   := $(TARGET_DIR)/pkg-tools/bin
HELM      ?= $(PKG_BIN)/helm

# docker (with a running engine), podman or buildah, whichever is found first; or BUILDER=...
define build_image
	@b="$(BUILDER)"; \
	if [ -z "$$b" ]; then for c in docker podman buildah; do \
	  if command -v $$c >/dev/null && { [ $$c != docker ] || docker info >/dev/null 2>&1; }; then b=$$c; break; fi; \
	done; fi; \
	case "$$b" in \
	  docker) cmd="docker build" ;; podman) cmd="podman build --format docker" ;; \
	  buildah) cmd="buildah bud --format docker" ;; \
	  *) echo "make image: no container builder: install docker (with its engine), podman or buildah" >&2; exit 1 ;; \
	esac; \
	set -x; $$cmd -f $(CURDIR)/Dockerfile.alpine --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) \
	  --build-arg CREATED=$$(date -u +%Y-%m-%dT%H:%M:%SZ) $(1) $(IMAGE_BUILD_ARGS) -t $(IMAGE) $(2)
endef

# The image from source: the Rust and Alpine images are pulled from the registry.
image:
	$(call build_image,--build-arg BINARY=source,$(CURDIR))

# The image around the binary of `make static` (no Rust image needed; the Alpine base still is).
image-prebuilt: static
	@rm -rf $(TARGET_DIR)/image-context && mkdir -p $(TARGET_DIR)/image-context
	@cp $(STATIC_BIN) $(TARGET_DIR)/image-context/mcp-atlassian
	$(call build_image,--build-arg BINARY=prebuilt,$(TARGET_DIR)/image-context)

$(PKG_BIN)/helm: scripts/install-helm.sh
	scripts/install-helm.sh $(PKG_BIN)

$(VENV)/.pkg-stamp: $(VENV)/.stamp tests/packaging/requirements.txt
	@$(PY) -m pip install -q --disable-pip-version-check -r tests/packaging/requirements.txt
	@touch $@

# helm, hadolint, kubernetes-validate, shellcheck, buildah, podman, busybox (the test image's base).
package-tools: $(VENV)/.pkg-stamp $(if $(filter $(PKG_BIN)/helm,$(HELM)),$(PKG_BIN)/helm)
	@command -v shellcheck >/dev/null && command -v buildah >/dev/null && command -v podman >/dev/null \
	  && command -v runc >/dev/null && command -v ip >/dev/null && test -x /bin/busybox \
	  || scripts/apt-install.sh shellcheck buildah podman runc busybox-static ca-certificates iproute2

helm-lint: $(if $(filter $(PKG_BIN)/helm,$(HELM)),$(PKG_BIN)/helm)
	$(HELM) lint --strict helm
	@for f in tests/packaging/values/*.yaml; do \
	  $(HELM) lint --strict --quiet helm -f $$f >/dev/null && $(HELM) template rel helm -f $$f >/dev/null \
	    || { echo "helm-lint: $$f fails"; exit 1; }; echo "ok  $$f"; done

# Release binaries with SHA-256 sums in $(TARGET_DIR)/dist (README "Install"): Linux x86_64 and
# aarch64 (static musl), Windows x86_64 (.exe, MinGW-w64) and macOS arm64 and x86_64 (zig through
# cargo-zigbuild, no SDK). scripts/release.sh installs each target's tools idempotently (apt,
# rustup targets, cargo-zigbuild into $(TARGET_DIR)/pkg-tools, ziglang into .venv) and skips a
# target whose tools cannot be had, saying which.
DIST := $(TARGET_DIR)/dist
release: static
	CARGO=$(CARGO) TARGET_DIR=$(TARGET_DIR) VENV=$(VENV) scripts/release.sh $(DIST) $(VERSION) $(STATIC_BIN)

# Clippy over the Windows build (cfg(windows) code and the tests as Windows compiles them), which
# `make lint` on Linux cannot see; MinGW-w64 compiles ring's C.
lint-windows:
	@rustup target list --installed | grep -qx x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu >/dev/null
	@command -v x86_64-w64-mingw32-gcc >/dev/null || scripts/apt-install.sh gcc-mingw-w64-x86-64
	CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc $(CARGO) clippy -q --target x86_64-pc-windows-gnu --all-targets -- -D warnings

# What `make release` left: SHA256SUMS verifies, `file` shows each format and architecture, and
# the aarch64 binary runs under qemu-aarch64-static (--version, an MCP session over stdio against
# the sandbox). Not part of `make test`: it needs the release builds (several minutes).
release-check:
	@command -v qemu-aarch64-static >/dev/null && command -v file >/dev/null \
	  || scripts/apt-install.sh qemu-user-static file
	$(CARGO) build -q --bin atlassian-sandbox
	python3 scripts/release-check.py $(DIST) $(VERSION) $(TARGET_DIR)/debug/atlassian-sandbox

# Slow packaging checks, not part of `make test` (tests/packaging, README "Deployment"): the chart
# (lint, render, kubernetes-validate), install/uninstall against stub helm/kubectl, shellcheck,
# hadolint, the static binary in an empty root, and the runtime image built with buildah and run
# with podman against the sandbox. Runs in a private network namespace when it can.
package-test: package-tools static
	$(CARGO) build -q --bin atlassian-sandbox
	@cmd='PKG_HELM=$(HELM) CARGO_TARGET_DIR=$(TARGET_DIR) $(PY) -m pytest -q tests/packaging'; \
	if unshare --net true 2>/dev/null; then \
	  unshare --net sh -c "ip link set lo up && $$cmd"; \
	else sh -c "$$cmd"; fi
