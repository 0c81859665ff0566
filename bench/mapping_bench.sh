#!/usr/bin/env bash
# Mapper speed: `reramsim map` wall time (the mapper alone, as it reports)
# for ResNet-34, OverFeat-fast and DeepFace on the SPATEM chip, every mapper.
# Usage: bench/mapping_bench.sh [BUILD_DIR]   (after `make build`)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin="$build/sc_main/reramsim"
[ -x "$bin" ] || { echo "bench: $bin not built (run make build)" >&2; exit 2; }
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
printf '%-14s %-7s %10s %12s %10s %16s %7s\n' network mapper map_ms crossbars shared est_cycles rounds
for net in resnet34 overfeat_fast deepface; do
  for mapper in simple spatem isaac hitm; do
    if ! out=$("$bin" map --arch configs/spatem.yaml --net "workloads/networks/$net.yaml" \
                 --mapper "$mapper" 2>&1); then
      printf '%-14s %-7s %10s\n' "$net" "$mapper" "refused"
      continue
    fi
    ms=$(sed -n 's/.*mapped in *\([0-9.]*\) ms.*/\1/p' <<<"$out")
    used=$(sed -n 's/.*crossbars *\([0-9]*\) of.*/\1/p' <<<"$out")
    shared=$(sed -n 's/.*(\([0-9]*\) shared between layers).*/\1/p' <<<"$out")
    est=$(sed -n 's/.*estimate *\([0-9]*\) cycles.*/\1/p' <<<"$out")
    rounds=$(sed -n 's/.* \([0-9]*\) round(s).*/\1/p' <<<"$out")
    printf '%-14s %-7s %10s %12s %10s %16s %7s\n' "$net" "$mapper" "$ms" "$used" "$shared" "$est" "$rounds"
  done
done
