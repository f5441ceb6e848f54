# Thin wrapper: the build is CMake's; these targets add the packages and the order.
BUILD ?= build
JOBS  ?= $(shell nproc)
# `make test-asan`: the unit, e2e and fuzz-corpus tests once more under ASan + UBSan (g++), built
# file by file (no unity build), so a file that compiles only beside its batch-mates fails here. The
# labels left out need root-run daemons whose tests take most of the suite's time, or install the
# package (README, Fuzzing).
ASAN_BUILD ?= build-asan
ASAN_EXCLUDE ?= ^(docker|systemd|package)$$
# `make fuzz`: each libFuzzer target (clang) for FUZZ_SECONDS, or for FUZZ_RUNS inputs when given;
# FUZZ_TARGETS picks some.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
FUZZ_TARGETS ?=

.PHONY: all deps build demo test deb test-asan fuzz bench clean

all: build

deps:
	@.ci/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBACKSTOP_TESTS=ON >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Only what the quickstart needs: the packages to build the binary and run the demo, then the binary
# (-O2 as the other builds, but without debug information, which takes a third of the compile time).
demo:
	@.ci/install-deps demo
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DBACKSTOP_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) --target backstop -j$(JOBS)
	@examples/quickstart/demo.sh $(BUILD)/backstop

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# `make deb`: the Debian package (CPack) in $(BUILD)/backstop_VERSION_ARCH.deb (README, Install).
deb: build
	@cd $(BUILD) && cpack -G DEB

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBACKSTOP_SANITIZE=ON -DBACKSTOP_UNITY=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS) -LE '$(ASAN_EXCLUDE)'

fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DBACKSTOP_FUZZ=ON -DBACKSTOP_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) --target fuzz_targets -j$(JOBS)
	@FUZZ_RUNS=$(FUZZ_RUNS) fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: build
	@bench/run.sh $(BUILD)/backstop

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
