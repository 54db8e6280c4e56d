# Front door. The README's two commands are `make run` and `make test`.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: setup configure build test run bench bench-server clean format

setup:
	@scripts/setup

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: setup
	@$(MAKE) --no-print-directory build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

run: setup
	@$(MAKE) --no-print-directory build
	@scripts/run

bench: setup
	@$(MAKE) --no-print-directory build
	@scripts/bench

# wrk against the real server on loopback (docs/BENCHMARKS_SERVER.md).
bench-server: setup
	@$(MAKE) --no-print-directory build
	@scripts/bench_server

format:
	clang-format -i $$(git ls-files '*.h' '*.cpp')

clean:
	rm -rf $(BUILD_DIR)
