#!/usr/bin/env bash
# Synthetic-traffic speed of the NoC model: the 8 x 8 mesh of
# configs/noc-mesh8x8.yaml (8-flit packets) under uniform traffic at a low, a
# high (97.5% of the saturation bound) and an overloaded rate. Prints wall
# time per simulated cycle and per delivered flit (best of REPEATS runs, the
# simulation's own wall time as `reramsim noc` prints it) and the process's
# elapsed time, against the aim of 2.7 us per simulated cycle (docs/performance.md).
# Usage: bench/noc_mesh_bench.sh [BUILD_DIR]   (after `make build`)
#        CYCLES=200000 REPEATS=3 RATES="0.01 0.06 0.09" bench/noc_mesh_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin="$build/sc_main/reramsim"
[ -x "$bin" ] || { echo "bench: $bin not built (run make build)" >&2; exit 2; }
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
cycles=${CYCLES:-200000}
repeats=${REPEATS:-3}
rates=${RATES:-0.01 0.06 0.09}
echo "reramsim noc --arch configs/noc-mesh8x8.yaml --network mesh --pattern uniform --rate R --cycles $cycles"
echo "$(nproc) CPU(s): $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
printf '%-7s %9s %9s %9s %9s %12s %12s %10s\n' rate offered accepted latency sim_s \
  us/cycle us/flit elapsed_s
for rate in $rates; do
  best=""
  for _ in $(seq "$repeats"); do
    out=$( { /usr/bin/time -f 'ELAPSED %e' "$bin" noc --arch configs/noc-mesh8x8.yaml \
               --network mesh --pattern uniform --rate "$rate" --cycles "$cycles"; } 2>&1 )
    wall=$(sed -n 's/.*wall time *\([0-9.]*\) s.*/\1/p' <<<"$out")
    if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$wall
      best_out=$out
    fi
  done
  offered=$(sed -n 's/.*offered *[0-9.]* packets\/node\/cycle = \([0-9.]*\) flits.*/\1/p' <<<"$best_out")
  accepted=$(sed -n 's/.*accepted *[0-9.]* packets\/node\/cycle = \([0-9.]*\) flits.*/\1/p' <<<"$best_out")
  latency=$(sed -n 's/.*latency *average \([0-9.]*\),.*/\1/p' <<<"$best_out")
  per_cycle=$(sed -n 's/.* = \([0-9.]*\) us per simulated cycle.*/\1/p' <<<"$best_out")
  per_flit=$(sed -n 's/.*, \([0-9.]*\) us per delivered flit.*/\1/p' <<<"$best_out")
  elapsed=$(sed -n 's/ELAPSED \([0-9.]*\)/\1/p' <<<"$best_out")
  printf '%-7s %9s %9s %9s %9s %12s %12s %10s\n' "$rate" "$offered" "$accepted" "$latency" \
    "$best" "$per_cycle" "$per_flit" "$elapsed"
done
echo "(offered and accepted in flits/node/cycle; latency: average cycles; aim <= 2.7 us/cycle)"
