#!/usr/bin/env bash
# Whole-network runs: wall time and peak memory of `reramsim run` (timing and
# exact values) for ResNet-18/34 on the SPATEM and Re-ReRAM chips.
# Usage: bench/network_bench.sh [BUILD_DIR]   (after `make build`)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin="$build/sc_main/reramsim"
[ -x "$bin" ] || { echo "bench: $bin not built (run make build)" >&2; exit 2; }
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
printf '%-10s %-9s %14s %9s %9s %9s %12s\n' arch network sim_cycles wall_s ref_s peak_MiB matches
for arch in spatem re-reram; do
  for net in resnet18 resnet34; do
    out=$( { /usr/bin/time -f 'PEAK %M' "$bin" run --arch "configs/$arch.yaml" \
               --net "workloads/networks/$net.yaml"; } 2>&1 )
    cycles=$(sed -n 's/.*latency *\([0-9]*\) cycles.*/\1/p' <<<"$out")
    wall=$(sed -n 's/.*wall time *\([0-9.]*\) s.*/\1/p' <<<"$out")
    ref=$(sed -n 's/.*(reference \([0-9.]*\) s).*/\1/p' <<<"$out")
    peak=$(sed -n 's/PEAK \([0-9]*\)/\1/p' <<<"$out")
    match=$(grep -q 'matches the reference' <<<"$out" && echo yes || echo NO)
    printf '%-10s %-9s %14s %9s %9s %9d %12s\n' "$arch" "$net" "$cycles" "$wall" "$ref" \
      "$((peak / 1024))" "$match"
  done
done
