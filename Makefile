# Thin wrapper over CMake. `make demo` and `make test` each install what
# is missing first, so both work on a fresh Debian 12 machine.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
TSAN_BUILD ?= build-tsan
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc)

# Go needs writable caches even where HOME is not set (CI containers).
export GOCACHE ?= $(CURDIR)/$(BUILD)/go-cache
export GOPATH  ?= $(CURDIR)/$(BUILD)/go-path
# Modules and the Go 1.27 toolchain module are fetched once per machine,
# into a cache outside the repo (cmake/GoToolchains.cmake uses the same).
LEAKHOUND_CACHE ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME),$(if $(HOME),$(HOME)/.cache,/var/tmp))/leakhound
export GOMODCACHE ?= $(LEAKHOUND_CACHE)/gomod
export GO111MODULE = on

.PHONY: all deps go-toolchains build demo test unit asan tsan fuzz bench clean

all: build

deps:
	./scripts/install-deps.sh

# The e2e tests run every Go fixture under Go 1.19 (Debian's package),
# 1.26 (PATH) and 1.27 (GOTOOLCHAIN, fetched from the module proxy once per
# machine). Warm the 1.27 download here; a toolchain that is missing
# anyway fails the Toolchains.* tests by name.
go-toolchains:
	-GOTOOLCHAIN=go1.27.3 go version
	-/usr/lib/go-1.19/bin/go version

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release
	ninja -C $(BUILD) -j $(JOBS) leakhound

# Main job on a bundled example: a small Go service that leaks under load
# (testdata/go/demo) is watched for ~30 s with the dashboard up; leakhound
# prints what it found and where, and how to browse the history again.
demo: build
	./scripts/demo.sh $(BUILD)

# Every test: Debug + ASan + UBSan build, unit and end-to-end tests via
# CTest, then a bounded libFuzzer run of every parser.
test: deps go-toolchains
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLEAKHOUND_SANITIZE=ON
	ninja -C $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)
	$(MAKE) tsan
	$(MAKE) fuzz

# The concurrent code under ThreadSanitizer: the watcher and its poller
# threads (unit), and the built binary watching, serving the dashboard,
# alerting and meeting network faults (e2e, one Go toolchain). Any report
# exits 66, which fails the test that ran it. Bounded by `timeout`.
TSAN_OPTIONS_CI = halt_on_error=1 exitcode=66 second_deadlock_stack=1
TSAN_UNIT = Watcher.*:ParallelRead.*:Store.*
TSAN_E2E  = Go/Watch.*/go1_26:Go/Fleet.*/go1_26:Go/AuthTls.*/go1_26:NetFaults.*:WatchInput.*:Serve.*
tsan: deps go-toolchains
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEAKHOUND_TSAN=ON -DLEAKHOUND_BENCH=OFF
	ninja -C $(TSAN_BUILD) -j $(JOBS) leakhound unit_tests e2e_tests
	TSAN_OPTIONS="$(TSAN_OPTIONS_CI)" timeout 600 $(TSAN_BUILD)/unit_tests --gtest_filter='$(TSAN_UNIT)'
	TSAN_OPTIONS="$(TSAN_OPTIONS_CI)" timeout 1200 $(TSAN_BUILD)/e2e_tests --gtest_filter='$(TSAN_E2E)'

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DLEAKHOUND_FUZZ=ON -DLEAKHOUND_TESTS=OFF -DLEAKHOUND_BENCH=OFF
	ninja -C $(FUZZ_BUILD) -j $(JOBS)
	./scripts/run-fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	ninja -C $(BUILD) gen_dump
	BUILD=$(BUILD) ./bench/run_bench.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
