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

# The default experiment: ResNet-18 on the Re-ReRAM chip, mapped by SPATEM's
# partition, pack, assign and order passes, timing and exact values checked
# against the reference; a readable summary, the statistics in out/.
run: build
	mkdir -p out
	$(BUILD_DIR)/sc_main/reramsim run --arch configs/re-reram.yaml --net workloads/networks/resnet18.yaml \
	    --mapper spatem --stats out/resnet18-re-reram-spatem.json

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR) out

# Reproductions of the papers' evaluations (docs/results.md). Both build first
# (the `build` target); the results land in out/.
RERAMSIM = $(BUILD_DIR)/sc_main/reramsim
PYTHON ?= /usr/bin/python3
comma := ,
empty :=
space := $(empty) $(empty)
SPATEM_NETS = lenet5 deepid deepface caffenet overfeat_fast
SPATEM_MAPPERS = isaac,hitm,spatem
RERERAM_NETS = lenet5 resnet34

.PHONY: reproduce-spatem reproduce-rereram

# SPATEM's evaluation (000_95e50d1ef642925c.txt): five CNNs on the SPATEM chip,
# ISAAC and HitM against SPATEM; one CSV row per point, four bar charts, a table.
reproduce-spatem: build
	mkdir -p out/spatem
	$(RERAMSIM) sweep --arch configs/spatem.yaml \
	    --net $(subst $(space),$(comma),$(SPATEM_NETS:%=workloads/networks/%.yaml)) \
	    --mapper $(SPATEM_MAPPERS) --jobs 2 --out out/spatem/results.csv
	$(PYTHON) scripts/plot.py results out/spatem/results.csv out/spatem
	$(PYTHON) scripts/results_table.py spatem out/spatem/results.csv > out/spatem/table.md.tmp
	mv out/spatem/table.md.tmp out/spatem/table.md

# Re-ReRAM's evaluation (001_ea7aef8f81a45a7e.txt, Section XI): LeNet-5 and
# ResNet-34 on the Re-ReRAM chip, BatchNorm folded and executed, the simple
# mapper, Re-ReRAM's local mapper (Algorithms 2 and 3) and its global
# folding (Fig. 11, Table III). Per point the
# statistics (NAME.stats.json) and the mapping report (NAME.map.json), a
# heat map of per-PE busy time, the sweep's CSV and a table.
reproduce-rereram: build
	mkdir -p out/rereram
	set -e; \
	mappers=simple,local,folding; \
	$(RERAMSIM) sweep --arch configs/re-reram.yaml \
	    --net $(subst $(space),$(comma),$(RERERAM_NETS:%=workloads/networks/%.yaml)) \
	    --mapper $$mappers --set pe.batchnorm=fold,execute --jobs 2 --out out/rereram/results.csv; \
	for net in $(RERERAM_NETS); do \
	  for m in $$(echo $$mappers | tr , ' '); do \
	    for bn in fold execute; do \
	      name=out/rereram/$$net-$$m-bn$$bn; \
	      if ! $(RERAMSIM) map --arch configs/re-reram.yaml --net workloads/networks/$$net.yaml \
	          --mapper $$m --set pe.batchnorm=$$bn --report $$name.map.json >/dev/null; then \
	        echo "reproduce-rereram: $$name: mapper $$m cannot map $$net; skipped" >&2; continue; \
	      fi; \
	      status=0; \
	      $(RERAMSIM) run --arch configs/re-reram.yaml --net workloads/networks/$$net.yaml \
	          --mapper $$m --set pe.batchnorm=$$bn --stats $$name.stats.json >/dev/null || status=$$?; \
	      if [ $$status -gt 1 ]; then echo "reproduce-rereram: $$name failed (exit $$status)" >&2; exit $$status; fi; \
	      $(PYTHON) scripts/plot.py heatmap $$name.stats.json $$name-busy.png --metric busy; \
	    done; \
	  done; \
	done
	for m in crossbar alu; do \
	  $(PYTHON) scripts/plot.py heatmap out/rereram/resnet34-simple-bnexecute.stats.json \
	      out/rereram/resnet34-simple-bnexecute-$$m.png --metric $$m || exit $$?; \
	done
	$(PYTHON) scripts/plot.py results out/rereram/results.csv out/rereram
	$(PYTHON) scripts/results_table.py rereram out/rereram/results.csv out/rereram > out/rereram/table.md.tmp
	mv out/rereram/table.md.tmp out/rereram/table.md
