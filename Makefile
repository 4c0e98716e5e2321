# onepy: one target per pipeline stage.
#
#   make deps        Debian packages, the wasm32-wasip1 target, wasmtime (as root)
#   make libpython   CPython 3.13.5 + C libraries for wasm32-wasip1, in the cache
#   make bundle      stdlib-bundle/ from the cached stdlib (pruned, precompiled)
#   make build       python.wasm: the guest, linked and pre-initialized (wizer)
#   make run         build, then run the demo
#   make test        unit tests + end-to-end tests on the built module
#   make bench       startup benchmark (hyperfine) -> benches/results.md + chart
#
# Every toolchain path can be overridden: ONEPY_CLANG, ONEPY_LLVM_AR,
# ONEPY_LLVM_RANLIB, ONEPY_WASMTIME, ONEPY_CACHE_DIR, ONEPY_LIBPYTHON_DIR.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

ONEPY_LIBPYTHON_DIR_OVERRIDE := $(ONEPY_LIBPYTHON_DIR)
LIBPYTHON_DIR := $(or $(ONEPY_LIBPYTHON_DIR),$(shell bash scripts/libpython.sh dir))
BUILD_PYTHON  := $(LIBPYTHON_DIR)/native/bin/python3.13
WASMTIME      := $(shell bash scripts/deps.sh wasmtime)
BUNDLE_MODE   ?= both

export ONEPY_LIBPYTHON_DIR := $(LIBPYTHON_DIR)
export PYO3_CONFIG_FILE := $(LIBPYTHON_DIR)/pyo3-config.txt
export ONEPY_WASMTIME := $(WASMTIME)
# Guest-only flags (build scripts and the host crate are unaffected): link
# against the cached wasi-libc (see .cargo/config.toml) and keep host paths
# out of the module's panic-location strings.
export CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS := -C link-self-contained=no \
    --remap-path-prefix=$(or $(CARGO_HOME),$(HOME)/.cargo)=/cargo --remap-path-prefix=$(CURDIR)=/onepy

CARGO_WASM := cargo build --release --target wasm32-wasip1
GUEST      := target/wasm32-wasip1/release/onepy.wasm
RAW        := build/python-noinit.wasm
OUTPUT     := python.wasm

.PHONY: deps libpython bundle build run test test-unit test-e2e bench clean check-imports

deps:
	bash scripts/deps.sh

libpython:
ifdef ONEPY_LIBPYTHON_DIR_OVERRIDE
	@test -f $(LIBPYTHON_DIR)/.complete || { echo "error: ONEPY_LIBPYTHON_DIR=$(LIBPYTHON_DIR) holds no complete libpython"; exit 1; }
else
	bash scripts/libpython.sh build
endif

# The bundle is rebuilt when the libpython cache key, the bundle script,
# the helper modules or the mode change (the stamp holds all of them).
BUNDLE_STAMP := build/bundle.stamp
BUNDLE_KEY = $(LIBPYTHON_DIR) $(BUNDLE_MODE) $(shell cat scripts/bundle.py src/python/*.py patches/stdlib/*.patch | sha256sum | cut -c1-16)

bundle: libpython
	@if [ "$$(cat $(BUNDLE_STAMP) 2>/dev/null)" != "$(BUNDLE_KEY)" ]; then \
	    $(BUILD_PYTHON) scripts/bundle.py $(LIBPYTHON_DIR)/stdlib stdlib-bundle --mode $(BUNDLE_MODE) \
	        --scrub $(dir $(LIBPYTHON_DIR)) --scrub $(HOME) && \
	    mkdir -p build && echo "$(BUNDLE_KEY)" > $(BUNDLE_STAMP); \
	else echo "[bundle] up to date"; fi

# The un-snapshotted module: kept for tests and benchmarks.
$(RAW): bundle
	$(CARGO_WASM)
	@mkdir -p build
	cp $(GUEST) $(RAW)
	cargo run -q -p onepy-host --bin wasm-imports -- --only wasi_snapshot_preview1 $(RAW)

build: $(RAW)
	bash scripts/snapshot.sh $(RAW) $(OUTPUT)

run: build
	$(WASMTIME) run $(OUTPUT) -c "$$(cat examples/demo.py)"

test-unit: bundle
	cargo test -q -p onepy-host --lib --bins
	@# Guest unit tests run inside wasmtime; a failed assertion aborts the
	@# module (no unwinding on wasm32-wasip1), so show output as it happens.
	CARGO_TARGET_WASM32_WASIP1_RUNNER="$(WASMTIME) run" cargo test -q --release --target wasm32-wasip1 -- --nocapture

test-e2e: build
	cargo test -q -p onepy-host --no-fail-fast --test '*' -- --test-threads 2

test: build test-unit test-e2e

bench: build
	bash benches/run.sh

clean:
	rm -rf target build stdlib-bundle stdlib-bundle.tmp $(OUTPUT)
