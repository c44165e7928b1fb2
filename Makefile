# The two entry points a fresh Debian machine needs: `make demo` and `make test`.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_BUILD_TYPE ?= Release

.PHONY: all deps configure build demo test bench dist clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# Only what the demo runs: the CLI and its shipped models, not the tests and benchmarks.
demo: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target wattcast wattcast_shipped_models
	@bash scripts/demo.sh $(BUILD_DIR)/wattcast

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

# A tarball and a wheel that run without root or a compiler (README, "Install on a cluster").
dist: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target wattcast wattcast_shipped_models
	@bash scripts/make-dist.sh $(BUILD_DIR) dist

bench: build
	@bash bench/run.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
