# onepy: one target per pipeline stage.
#
#   make deps        Debian packages, the wasm32-wasip1 target, wasmtime (as root)
#   make libpython   CPython (the version sources.lock pins) + C libraries for wasm32-wasip1, in the cache
#   make bundle      the embedded tree (stdlib, packages, app), pruned, precompiled
#   make build       python.wasm: the guest, linked and pre-initialized (wizer)
#   make run         build, then run the demo
#   make test        unit tests + end-to-end tests on the built module
#   make test-packages  the verified set of compiled packages (build/packages.wasm)
#   make bench       startup benchmark (hyperfine) -> benches/results.md + chart
#                    (BENCH_COMPARE=old.wasm times an earlier build in the same run)
#   make bench-compute  pyperformance in python.wasm vs native -> benches/compute/results.md
#   make conformance CPython's regression tests, ours vs the unpatched WASI build
#   make regrtest    the whole regrtest (every module), ours vs unpatched -> conformance/regrtest.md
#   make nesting-limits  how deeply nested source compiles -> conformance/nesting-limits.md
#   make size-report     module sizes -> benches/sizes.md (README)
#   make oci         an OCI image archive of the build, for containerd/Kubernetes
#   make test-oci    the images on containerd's wasm runtime (our shim), as root
#   make bench-oci   container start time, memory and density -> benches/oci.md
#   make sandbox         the onepy_sandbox wheel (sandbox/, python.wasm inside) -> dist/
#   make test-sandbox    the sandbox crate's tests + the wheel in a clean venv
#   make bench-sandbox   per-call latency of the sandbox -> benches/sandbox.md (README)
#
# Build settings (README, "Packages and apps"):
#   PACKAGES="emoji==2.14.1 rich"   packages from PyPI (or REQUIREMENTS=file): pure wheels
#                                   embedded, compiled ones built from their sdists
#   LOCK=packages.lock              their lock file (exact versions + sha256)
#   APP=dir  or  APP_MODULE=name    what the module runs at start
#   PREIMPORT="mod ..."             extra modules to import into the snapshot
#   OUTPUT=python.wasm              the output file
#   HASH_SEED=<hex>                 the snapshot's seed (str/bytes hash secret);
#                                   default: drawn fresh for every build
#
# Every toolchain path can be overridden: ONEPY_CLANG, ONEPY_LLVM_AR,
# ONEPY_LLVM_RANLIB, ONEPY_WASMTIME, ONEPY_CACHE_DIR, ONEPY_LIBPYTHON_DIR.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

# Everything below that make evaluates while parsing (the `:=` and `$(shell)`
# lines) must not depend on what `make deps` installs: `make deps run` parses
# this file once, before deps runs. The cache keys therefore hash declared
# inputs (toolchain.lock, sources.lock, scripts, patches), never an installed
# tool's output; host/tests/makefile.rs checks it with the toolchain stubbed
# out (`make print-config`).
ONEPY_LIBPYTHON_DIR_OVERRIDE := $(ONEPY_LIBPYTHON_DIR)
LIBPYTHON_DIR := $(or $(ONEPY_LIBPYTHON_DIR),$(shell bash scripts/libpython.sh dir))
CACHE_ROOT    := $(patsubst %/,%,$(dir $(LIBPYTHON_DIR)))
# The Python version: one pin, the cpython line of sources.lock.
PY_MM         := $(shell python3 scripts/pyversion.py mm)
BUILD_PYTHON  := $(LIBPYTHON_DIR)/native/bin/python$(PY_MM)
# The package builder's tools: one venv per libpython and pinned tool set
# (recipes/build-tools.txt), so worktrees pinning other tools never share one.
TOOLS_VENV    := $(CACHE_ROOT)/tools-venv-$(notdir $(LIBPYTHON_DIR))-$(shell sha256sum recipes/build-tools.txt | cut -c1-12)
WASMTIME      := $(shell bash scripts/deps.sh wasmtime)
BUNDLE_MODE   ?= both

OUTPUT      ?= python.wasm
LOCK        ?= packages.lock
PACKAGE_SPEC = $(strip $(PACKAGES) $(if $(REQUIREMENTS),$(shell grep -v '^\s*#' $(REQUIREMENTS))))
CUSTOM      := $(strip $(PACKAGE_SPEC)$(APP)$(APP_MODULE)$(PREIMPORT))

# The plain interpreter builds in stdlib-bundle/ and target/; a build with
# packages or an app gets its own bundle and cargo target directory, named
# after its output, so switching between them rebuilds nothing twice.
ifeq ($(CUSTOM),)
VARIANT_DIR := build
BUNDLE_DIR  := $(CURDIR)/stdlib-bundle
CARGO_DIR   := $(CURDIR)/target
RAW         := build/python-noinit.wasm
else
VARIANT_DIR := build/variants/$(basename $(notdir $(OUTPUT)))
BUNDLE_DIR  := $(CURDIR)/$(VARIANT_DIR)/bundle
CARGO_DIR   := $(CURDIR)/$(VARIANT_DIR)/target
RAW         := $(VARIANT_DIR)/$(basename $(notdir $(OUTPUT)))-noinit.wasm
endif

export ONEPY_LIBPYTHON_DIR := $(LIBPYTHON_DIR)
export ONEPY_TOOLS_VENV := $(TOOLS_VENV)
export PYO3_CONFIG_FILE := $(LIBPYTHON_DIR)/pyo3-config.txt
export ONEPY_WASMTIME := $(WASMTIME)
export ONEPY_BUNDLE_DIR := $(BUNDLE_DIR)
# Guest-only flags (build scripts and the host crate are unaffected): link
# against the cached wasi-libc (see .cargo/config.toml) and keep host paths
# out of the module's panic-location strings.
export CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS := -C link-self-contained=no \
    --remap-path-prefix=$(or $(CARGO_HOME),$(HOME)/.cargo)=/cargo --remap-path-prefix=$(CURDIR)=/onepy

CARGO_WASM := cargo build --release --target wasm32-wasip1 --target-dir $(CARGO_DIR)

.PHONY: bench-packages regrtest sandbox test-sandbox bench-sandbox print-config nesting-limits size-report deps libpython packages bundle raw build run test test-unit test-e2e test-app test-files-app test-numpy test-packages test-panic-module tiktoken-app bench bench-compute clean conformance \
    oci oci-prereqs test-oci bench-oci

deps:
	bash scripts/deps.sh

# What make computed at parse time (host/tests/makefile.rs).
print-config:
	@printf '%s\n' "LIBPYTHON_DIR=$(LIBPYTHON_DIR)" "TOOLS_VENV=$(TOOLS_VENV)" "WASMTIME=$(WASMTIME)" \
	    "SITE_PACKAGES=$(SITE_PACKAGES)" "LOCK=$(LOCK)" "NUMPY_VERSION=$(NUMPY_VERSION)" \
	    "NUMPY_NATIVE=$(NUMPY_NATIVE)"

libpython:
ifdef ONEPY_LIBPYTHON_DIR_OVERRIDE
	@test -f $(LIBPYTHON_DIR)/.complete || { echo "error: ONEPY_LIBPYTHON_DIR=$(LIBPYTHON_DIR) holds no complete libpython"; exit 1; }
else
	bash scripts/libpython.sh build
endif

# A venv of the native build-python, with its bundled pip: packages.py runs in it.
$(TOOLS_VENV)/.done: | libpython
	rm -rf $(TOOLS_VENV)
	$(BUILD_PYTHON) -m venv $(TOOLS_VENV)
	touch $@

# PACKAGES -> lock file (resolved as native pip would, only when the lock does
# not lock this spec; scripts/resolve.py) -> pure-Python wheels (cached,
# sha256-checked) and sdists built for wasm32-wasip1 (scripts/package_builder,
# cached under a key of their inputs) -> $(VARIANT_DIR)/site-packages, plus
# site-packages.cext (the build directories build.rs links) and
# site-packages.preimport (what their recipes import into the snapshot).
SITE_PACKAGES := $(if $(PACKAGE_SPEC),$(VARIANT_DIR)/site-packages)
CEXT_DIRS      = $(if $(PACKAGE_SPEC),$(shell cat $(SITE_PACKAGES).cext 2>/dev/null))
ALL_PREIMPORT  = $(strip $(PREIMPORT) $(if $(PACKAGE_SPEC),$(shell cat $(SITE_PACKAGES).preimport 2>/dev/null)))
# A package built with C++ exceptions or setjmp (its recipe's wasm-exceptions)
# links libc++abi with exceptions; the linked module is then translated to the
# standard exception-handling encoding (scripts/binaryen.sh).
WASM_EXCEPTIONS = $(if $(CEXT_DIRS),$(shell grep -lx 'c++abi-wasm-eh' $(addsuffix /link.txt,$(subst :, ,$(CEXT_DIRS))) 2>/dev/null))
LOCALIZE    := $(CURDIR)/target/debug/wasm-localize
TOOLS_PY    := $(TOOLS_VENV)/bin/python

packages: libpython $(TOOLS_VENV)/.done
ifneq ($(PACKAGE_SPEC),)
	@mkdir -p $(VARIANT_DIR)
	$(TOOLS_PY) -m pip install --quiet --require-hashes -r recipes/build-tools.txt
	$(TOOLS_PY) scripts/packages.py ensure-lock --lock $(LOCK) $(PACKAGE_SPEC)
	if $(TOOLS_PY) scripts/packages.py has-sdists --lock $(LOCK); then \
	    cargo build -q -p onepy-host --bin wasm-localize; fi
	$(TOOLS_PY) scripts/packages.py fetch --lock $(LOCK) --out $(SITE_PACKAGES) \
	    --stdlib $(LIBPYTHON_DIR)/stdlib --cache $(CACHE_ROOT) --libpython $(LIBPYTHON_DIR) --localize $(LOCALIZE)
endif

# The bundle is rebuilt when anything it is made from changes: the stamp
# holds the libpython key, the mode, the scripts (packages.py writes
# site-packages), patches, helpers, the lock and the app's files.
BUNDLE_STAMP := $(VARIANT_DIR)/bundle.stamp
BUNDLE_KEY = $(LIBPYTHON_DIR) $(BUNDLE_MODE) $(APP_MODULE) $(ALL_PREIMPORT) $(CEXT_DIRS) $(shell cat scripts/bundle.py \
    src/python/*.py patches/stdlib/*.patch $(if $(PACKAGE_SPEC),$(LOCK) scripts/packages.py) \
    $(if $(APP),$$(find $(APP) -type f ! -name '*.pyc' | sort)) | sha256sum | cut -c1-16)
BUNDLE_ARGS = --mode $(BUNDLE_MODE) \
    $(if $(SITE_PACKAGES),--site-packages $(SITE_PACKAGES)) $(if $(APP),--app $(APP)) \
    $(if $(APP_MODULE),--app-module $(APP_MODULE)) $(if $(ALL_PREIMPORT),--preimport "$(ALL_PREIMPORT)")

bundle: libpython packages
	@if [ "$$(cat $(BUNDLE_STAMP) 2>/dev/null)" != "$(BUNDLE_KEY)" ]; then \
	    $(BUILD_PYTHON) scripts/bundle.py $(LIBPYTHON_DIR)/stdlib $(BUNDLE_DIR) $(BUNDLE_ARGS) && \
	    mkdir -p $(VARIANT_DIR) && echo "$(BUNDLE_KEY)" > $(BUNDLE_STAMP); \
	else echo "[bundle] up to date"; fi

# The un-snapshotted module: kept for tests and benchmarks. The import check
# fails the build if anything but WASI is imported.
raw: bundle
	ONEPY_CEXT_DIRS="$(CEXT_DIRS)" $(CARGO_WASM)
	@mkdir -p $(dir $(RAW))
	$(if $(WASM_EXCEPTIONS),bash scripts/binaryen.sh translate,cp) $(CARGO_DIR)/wasm32-wasip1/release/onepy.wasm $(RAW)
	cargo run -q -p onepy-host --bin wasm-imports -- --only wasi_snapshot_preview1 $(RAW)

build: raw
	bash scripts/snapshot.sh $(RAW) $(OUTPUT) $(HASH_SEED)
	@# No path of this machine in what we ship: each one is fixed where it
	@# comes from; this fails the build, naming file and offset, if one is left.
	cargo run -q -p onepy-host --bin wasm-host-paths -- --cache $(CACHE_ROOT) $(RAW) $(OUTPUT)

run: build
	$(WASMTIME) run $(OUTPUT) -c "$$(cat examples/demo.py)"

test-unit: bundle
	cargo fmt --all -- --check
	cargo test -q -p onepy-host --lib --bins
	@# Guest unit tests run inside wasmtime; a failed assertion aborts the
	@# module (no unwinding on wasm32-wasip1), so show output as it happens.
	CARGO_TARGET_WASM32_WASIP1_RUNNER="$(WASMTIME) run" cargo test -q --release --target wasm32-wasip1 -- --nocapture

# The module with packages and the example app that host/tests/packages.rs runs.
TEST_APP_SETTINGS := PACKAGES="emoji==2.16.0 certifi==2026.10.18 rich==15.0.0 click==8.5.1" \
    LOCK=tests/packages/e2e.lock APP=examples/app PREIMPORT="rich.console emoji" OUTPUT=build/app.wasm

test-app:
	$(MAKE) --no-print-directory build $(TEST_APP_SETTINGS)

# An app that reads, lists and queries its own embedded files (src/vfs), for
# host/tests/vfs.rs.
test-files-app:
	$(MAKE) --no-print-directory build APP=examples/files-app OUTPUT=build/files-app.wasm

# numpy, markupsafe, msgpack and rpds-py built from their sdists (one per build
# kind: meson with numpy's recipe; setuptools C, C++ and maturin with no recipe;
# with pytest), and PyYAML with a C library (libyaml, recipes/clibs/) for
# host/tests/numpy.rs and compiled.rs; native numpy of the same version
# on the same CPython for expected values; numpy's own tests (linalg, fft,
# random's Generator) from its sdist. numpy's version: one pin, here.
NUMPY_VERSION := 2.5.5
TEST_NUMPY_SETTINGS := PACKAGES="numpy==$(NUMPY_VERSION) markupsafe==3.0.3 pytest==8.4.2 msgpack==1.2.4 rpds-py==2026.9.1 \
    pyyaml==6.0.4" LOCK=tests/numpy/pytest.lock OUTPUT=build/numpy.wasm
NUMPY_NATIVE := $(CACHE_ROOT)/numpy-native-$(shell cat tests/numpy/native-requirements.txt tests/numpy/pytest.lock | sha256sum | cut -c1-12)
NUMPY_TESTS  := $(CACHE_ROOT)/numpy-tests-$(NUMPY_VERSION)

test-numpy: | $(TOOLS_VENV)/.done
	$(MAKE) --no-print-directory build $(TEST_NUMPY_SETTINGS)
	@test -f $(NUMPY_NATIVE)/.done || { rm -rf $(NUMPY_NATIVE) && \
	    $(TOOLS_PY) scripts/packages.py requirements --lock tests/numpy/pytest.lock > $(NUMPY_NATIVE).req && \
	    $(TOOLS_PY) -m pip install --quiet --require-hashes --no-deps \
	        -r tests/numpy/native-requirements.txt -r $(NUMPY_NATIVE).req --target $(NUMPY_NATIVE) && \
	    touch $(NUMPY_NATIVE)/.done; }
	@test -d $(NUMPY_TESTS) || { mkdir -p $(NUMPY_TESTS).tmp && \
	    tar -xzf $(CACHE_ROOT)/downloads/numpy-$(NUMPY_VERSION).tar.gz -C $(NUMPY_TESTS).tmp --strip-components=2 \
	        numpy-$(NUMPY_VERSION)/numpy/linalg/tests numpy-$(NUMPY_VERSION)/numpy/fft/tests numpy-$(NUMPY_VERSION)/numpy/random/tests && \
	    mv $(NUMPY_TESTS).tmp $(NUMPY_TESTS); }

test-e2e: build test-app test-files-app test-numpy
	ONEPY_NUMPY_NATIVE=$(NUMPY_NATIVE) ONEPY_NUMPY_TESTS=$(NUMPY_TESTS) cargo test -q -p onepy-host --no-fail-fast --test '*' -- --test-threads 2

test: build test-unit test-e2e test-sandbox

# The whole verified set of compiled packages (issue 21), pip choosing the
# versions: built into build/packages.wasm, exercised by host/tests/verified.rs,
# and their own tests (tests/packages/suites.toml) run in it and natively
# (scripts/package_suites.py -> tests/packages/suite-results.md, docs/packages.md).
# lxml 6.1 requires Cython>=3.2.9,<3.3 to build, the pinned build tools have
# 3.3.1 (recipes/build-tools.txt): lxml~=6.0.0 (6.0.x) until they agree.
TEST_PACKAGES_SETTINGS := PACKAGES="pydantic pyyaml jsonschema jinja2 msgpack multidict frozenlist propcache \
    lxml~=6.0.0 pandas regex orjson sqlalchemy aiohttp pillow cryptography matplotlib tiktoken pytest" \
    LOCK=tests/packages/verified.lock OUTPUT=build/packages.wasm
SUITES_ARGS = --lock tests/packages/verified.lock --cache $(CACHE_ROOT)

# tests/packages/rust-panic: a pyo3 extension that panics, as a local sdist
# (deterministic tar, its lock pinned to its own sha256), for what a Rust panic does.
PANIC_SDIST := build/onepy_rust_panic-0.1.0.tar.gz
test-panic-module:
	@mkdir -p build
	tar --sort=name --mtime=2026-01-01 --owner=0 --group=0 --numeric-owner -C tests/packages \
	    --transform 's,^rust-panic,onepy_rust_panic-0.1.0,' -cf - rust-panic | gzip -n > $(PANIC_SDIST)
	printf '# onepy package lock: a local sdist (make test-panic-module)\n# spec: onepy-rust-panic\n# file://%s\nonepy-rust-panic==0.1.0 --hash=sha256:%s\n' \
	    "$(CURDIR)/$(PANIC_SDIST)" "$$(sha256sum $(PANIC_SDIST) | cut -c1-64)" > build/panic.lock
	$(MAKE) --no-print-directory build PACKAGES=onepy-rust-panic LOCK=build/panic.lock OUTPUT=build/panic.wasm

# An app that tokenizes offline with tiktoken: examples/tiktoken-app plus the
# encoding files (scripts/tiktoken_encoding.py: pinned, checked against
# tiktoken's own sha256), in build/tiktoken-app.wasm. The lock pins what
# verified.lock pins, so the builds are shared.
TIKTOKEN_APP := build/tiktoken-app
tiktoken-app:
	rm -rf $(TIKTOKEN_APP) && mkdir -p build && cp -r examples/tiktoken-app $(TIKTOKEN_APP)
	python3 scripts/tiktoken_encoding.py --cache $(CACHE_ROOT) --out $(TIKTOKEN_APP)/encodings cl100k_base o200k_base
	$(MAKE) --no-print-directory build PACKAGES="tiktoken" LOCK=tests/packages/tiktoken.lock APP=$(TIKTOKEN_APP) \
	    OUTPUT=build/tiktoken-app.wasm

test-packages: test-panic-module tiktoken-app
	$(MAKE) --no-print-directory build $(TEST_PACKAGES_SETTINGS)
	ONEPY_PACKAGES_NATIVE=$$($(TOOLS_PY) scripts/package_suites.py native-dir $(SUITES_ARGS)) \
	    cargo test -q -p onepy-host --test verified -- --ignored --test-threads 2
	$(TOOLS_PY) scripts/package_suites.py run $(SUITES_ARGS) --module build/packages.wasm \
	    --python $(BUILD_PYTHON) --wasmtime $(WASMTIME) --cext "$$(cat build/variants/packages/site-packages.cext)"
	python3 scripts/readme_figures.py --write

bench: build
	bash benches/run.sh

# The all-in-one module (build/packages.wasm, make test-packages) against
# python.wasm and a native CPython of the same sources and flags
# (scripts/native-python.sh, as bench-compute) with the native wheels of the
# same pins: startup and peak RSS -> benches/packages.md.
bench-packages: build
	@test -f build/packages.wasm || { echo "error: build/packages.wasm: run make test-packages first"; exit 1; }
	bash scripts/native-python.sh
	python3 benches/packages.py --wasmtime $(WASMTIME) --python $$(bash scripts/native-python.sh python) \
	    --native-dir $$($(TOOLS_PY) scripts/package_suites.py native-dir $(SUITES_ARGS)) \
	    --module build/packages.wasm --base $(OUTPUT) --cache $(CACHE_ROOT)/bench

# pyperformance's benchmarks (pinned sdist) in-process, interleaved across
# Debian's python3, the native build-python, a native build with python.wasm's
# compiler, flags and PGO profile (scripts/native-python.sh), python.wasm and the unpatched WASI build.
bench-compute: build
	bash scripts/native-python.sh
	ONEPY_NATIVE_PYTHON=$$(bash scripts/native-python.sh python) nice -n 10 python3 benches/compute/run.py $(BENCH_COMPUTE_ARGS)
	python3 scripts/readme_figures.py --write

# CPython's regression tests in python.wasm and in the stock WASI build
# (scripts/conformance.py: the full list takes about 2 minutes on 2 cores);
# `make test` runs the fast subset.
conformance: build
	python3 scripts/conformance.py --subset full --check

# The whole regrtest: every module findtests() lists, ours vs the unpatched
# build -> conformance/regrtest.md; fails on a module that does worse in ours
# without a reason in tests/regrtest-differences.tsv.
regrtest: build
	python3 scripts/conformance.py --subset all --check

# The deepest nesting of each construct in tests/deep-source.txt that compiles
# under default wasmtime settings, and what deeper source gives.
nesting-limits: build
	python3 scripts/nesting_limits.py python.wasm --wasmtime $(WASMTIME) --out conformance/nesting-limits.md
	python3 scripts/readme_figures.py --write

size-report: build test-app test-numpy
	python3 scripts/size_report.py

# An OCI image archive of the build (any PACKAGES/APP settings): platform
# wasip1/wasm, entrypoint the module, same inputs -> same digest
# (host/src/oci.rs). OCI_LAYOUT=wasm-layer makes runwasi's wasm-layer image
# instead (containerd >= 1.7.7 only; lets the shim cache the compiled module).
OCI_OUTPUT ?= $(basename $(OUTPUT)).oci.tar
OCI_NAME   ?= docker.io/onepy/$(basename $(notdir $(OUTPUT))):latest
OCI_LAYOUT ?= file

oci: build
	cargo build -q -p onepy-host --bin oci-image
	target/debug/oci-image --name $(OCI_NAME) --layout $(OCI_LAYOUT) $(OUTPUT) $(OCI_OUTPUT)

# test-oci and bench-oci: containerd from Debian (bookworm's 1.6.20 installed;
# trixie's 1.7.24 extracted into the cache for wasm-layer images), our shim
# (cached by a hash of its inputs; ~7 min to build on 2 cores after make test), python.wasm's
# images (plain and wasm-layer) and an app with numpy (tests/oci/app). Not part of `make test` (README, "Running
# on a cluster": root, cgroups and the shim build).
OCI_APP_SETTINGS := PACKAGES="numpy==$(NUMPY_VERSION)" LOCK=tests/oci/app.lock APP=tests/oci/app OUTPUT=build/oci-app.wasm

oci-prereqs:
	bash scripts/deps.sh oci
	bash scripts/containerd-shim.sh build
	$(MAKE) --no-print-directory oci OUTPUT=python.wasm
	$(MAKE) --no-print-directory oci $(OCI_APP_SETTINGS)
	target/debug/oci-image --layout wasm-layer --name docker.io/onepy/python:wasm-layer python.wasm build/python-wasm-layer.oci.tar

test-oci: oci-prereqs
	@# Reproducible: the same module and options give the same archive, byte for byte.
	target/debug/oci-image --name docker.io/onepy/python:latest python.wasm build/python-again.oci.tar >/dev/null
	cmp python.oci.tar build/python-again.oci.tar || { echo "error: make oci is not reproducible"; exit 1; }
	bash scripts/test-oci.sh python.oci.tar build/oci-app.oci.tar build/python-wasm-layer.oci.tar

bench-oci: oci-prereqs
	bash benches/oci.sh python.oci.tar build/python-wasm-layer.oci.tar

# The sandbox (issue 13): a host crate (wasmtime as a library), its CLI and
# its Python wheel, all built with the workspace's `host` profile so they
# share one compile of wasmtime. The guest's PYO3_CONFIG_FILE (exported above)
# describes the wasm libpython; the host-side pyo3 build must not see it.
SANDBOX_VENV := $(CACHE_ROOT)/sandbox-venv-$(notdir $(LIBPYTHON_DIR))-$(shell sha256sum sandbox/requirements-build.txt | cut -c1-12)
HOST_CARGO := env -u PYO3_CONFIG_FILE cargo

# Venvs from the native build-python (it has venv and pip on any machine;
# Debian's python3 needs python3-venv for that).
$(SANDBOX_VENV)/.done: sandbox/requirements-build.txt | libpython
	rm -rf $(SANDBOX_VENV) && $(BUILD_PYTHON) -m venv $(SANDBOX_VENV)
	$(SANDBOX_VENV)/bin/python -m pip install --quiet --require-hashes -r sandbox/requirements-build.txt
	touch $@

sandbox: build $(SANDBOX_VENV)/.done
	cp $(OUTPUT) sandbox/python/onepy_sandbox/python.wasm
	rm -f dist/onepy_sandbox-*.whl
	env -u PYO3_CONFIG_FILE $(SANDBOX_VENV)/bin/maturin build --quiet --profile host --locked \
	    --manifest-path sandbox/Cargo.toml --out dist
	$(HOST_CARGO) build -q --profile host --locked -p onepy-sandbox --bin onepy-sandbox

test-sandbox: build test-numpy sandbox
	bash sandbox/vendor/verify.sh
	ONEPY_SANDBOX_MODULE=$(CURDIR)/$(OUTPUT) ONEPY_SANDBOX_NUMPY_MODULE=$(CURDIR)/build/numpy.wasm \
	    $(HOST_CARGO) test -q --profile host --locked -p onepy-sandbox -- --include-ignored --test-threads 2
	@# Forks again, copying by comparing pages instead of reading /proc/self/pagemap.
	ONEPY_SANDBOX_MODULE=$(CURDIR)/$(OUTPUT) ONEPY_SANDBOX_FORK_COMPARE=1 \
	    $(HOST_CARGO) test -q --profile host --locked -p onepy-sandbox --test sessions -- fork --test-threads 2
	$(BUILD_PYTHON) sandbox/tests/test_wheel.py dist

bench-sandbox: build test-numpy sandbox
	$(HOST_CARGO) build -q --profile host --locked -p onepy-sandbox --example bench
	python3 benches/sandbox.py --module $(OUTPUT) --numpy build/numpy.wasm --wasmtime $(WASMTIME) \
	    --bench target/host/examples/bench --out benches/sandbox.md
	$(HOST_CARGO) build -q --profile host --locked -p onepy-sandbox --example bench_sessions
	python3 benches/sandbox_sessions.py --module $(OUTPUT) --bench target/host/examples/bench_sessions \
	    --out benches/sandbox-sessions.md
	python3 scripts/readme_figures.py --write

clean:
	rm -rf target build stdlib-bundle stdlib-bundle.tmp $(OUTPUT) $(OCI_OUTPUT)
