# Thin wrapper: the build is CMake's; these targets add the packages and the order.
BUILD ?= build
JOBS  ?= $(shell nproc)

.PHONY: all deps build demo test bench clean

all: build

deps:
	@.ci/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	@examples/quickstart/demo.sh $(BUILD)/backstop

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	@bench/run.sh $(BUILD)/backstop

clean:
	rm -rf $(BUILD)
