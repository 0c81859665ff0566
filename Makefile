# Two entry points (see README): `make run` and `make test`. Both install missing
# Debian packages, configure and build first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE = 1

.PHONY: setup configure build run test clean

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/CMakeCache.txt: | setup
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release

configure: setup $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	mkdir -p out
	$(BUILD_DIR)/sc_main/reramsim run --arch configs/re-reram.yaml --net workloads/networks/resnet18.yaml --stats out/resnet18-re-reram.json

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR) out
