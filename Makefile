# SPDX-License-Identifier: GPL-2.0-only
# The README's commands. `make demo` and `make test` install what is missing,
# build, and run; both are quick when nothing changed.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
WERROR     ?= $(if $(CI),ON,OFF)
CMAKE_ARGS ?=
DEMO_TRACE ?= samples/demo-leak-and-early-free.jsonl

.PHONY: all deps build demo test test-asan test-kernel conformance bench clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DPASIDTRACE_WERROR=$(WERROR) $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Exit status 1 means "findings at --fail-on": that is what the demo shows.
demo: build
	@$(BUILD)/pasidtrace analyze $(DEMO_TRACE); rc=$$?; [ $$rc -le 1 ]

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPASIDTRACE_SANITIZE=ON \
	  -DPASIDTRACE_BENCH=OFF -DPASIDTRACE_WERROR=$(WERROR) $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# Debian's 6.1 kernel under QEMU with a test module: real PASID lifecycles
# and injected bugs, recorded and judged in the guest (docs/kernel-tests.md).
test-kernel: build
	@scripts/install-deps.sh kernel-tests
	@tests/kernel/run-kernel-tests.sh $(BUILD); rc=$$?; [ $$rc -eq 77 ] || exit $$rc

# trace.dat reading against `trace-cmd report`, side by side on one recording.
bench: build
	cmake --build $(BUILD) --target bench-tracedat

conformance: build
	python3 ../shared/conformance/run.py $(BUILD)/pasidtrace

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
