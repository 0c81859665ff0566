#!/usr/bin/env bash
# Whole-network runs: wall time, simulated cycles per second, crossbar MVMs
# per second and peak memory of `reramsim run` (timing and exact values,
# checked against the reference), beside the plain im2col + GEMM reference's
# time (the floor of the arithmetic) and the ratio to it.
# Usage: bench/network_bench.sh [BUILD_DIR]   (after `make build`)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin="$build/sc_main/reramsim"
[ -x "$bin" ] || { echo "bench: $bin not built (run make build)" >&2; exit 2; }
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-9s %-14s %-7s %-16s %13s %7s %7s %6s %9s %9s %8s %5s\n' \
  arch network mapper set sim_cycles wall_s ref_s ratio Mcyc/s kMVM/s peak_MiB match
bench() {  # arch net mapper [set]
  local arch=$1 net=$2 mapper=$3 set=${4:-}
  local extra=()
  [ -n "$set" ] && extra=(--set "$set")
  out=$( { /usr/bin/time -f 'PEAK %M' "$bin" run --arch "configs/$arch.yaml" \
             --net "workloads/networks/$net.yaml" --mapper "$mapper" "${extra[@]}" \
             --stats "$tmp/s.json"; } 2>&1 ) || true
  wall=$(sed -n 's/.*wall time *\([0-9.]*\) s.*/\1/p' <<<"$out")
  ref=$(sed -n 's/.*(reference \([0-9.]*\) s).*/\1/p' <<<"$out")
  peak=$(sed -n 's/PEAK \([0-9]*\)/\1/p' <<<"$out")
  if [ -z "$wall" ]; then
    printf '%-9s %-14s %-7s %-16s %13s\n' "$arch" "$net" "$mapper" "${set:--}" "failed"
    return
  fi
  read -r cycles mvms match < <(/usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["latency_cycles"], s["actions"]["crossbar_mvms"],
      "yes" if s["functional"]["matches_reference"] else "no")' "$tmp/s.json")
  awk -v a="$arch" -v n="$net" -v m="$mapper" -v s="${set:--}" -v c="$cycles" -v w="$wall" \
      -v r="$ref" -v v="$mvms" -v p="$peak" -v ok="$match" 'BEGIN {
    printf "%-9s %-14s %-7s %-16s %13d %7.2f %7.2f %6.1f %9.2f %9.1f %8d %5s\n",
      a, n, m, s, c, w, r, (r > 0 ? w / r : 0), c / w / 1e6, v / w / 1e3, p / 1024, ok }'
}
for arch in spatem re-reram; do
  for net in resnet18 resnet34; do
    bench "$arch" "$net" simple
    bench "$arch" "$net" spatem
  done
done
# Bit-level ADC quantization on: every OU partial sum through the
# quantizing datapath (a 6-bit ADC is lossy on re-reram.yaml's 1152-row OUs;
# a 3-bit one on spatem.yaml's 9-row OUs, 3.5 G conversions for ResNet-18).
bench re-reram resnet18 simple crossbar.adc.bits=6
bench spatem resnet18 simple crossbar.adc.bits=3
# The largest seed networks (over 100 million weights): peak memory.
bench spatem overfeat_fast spatem
bench spatem deepface spatem
