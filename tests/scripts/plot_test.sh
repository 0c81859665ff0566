#!/usr/bin/env bash
# Tests of scripts/plot.py and scripts/results_table.py on a hand-made
# results CSV (Debian's /usr/bin/python3 with python3-matplotlib, which
# scripts/setup.sh installs). Usage: plot_test.sh CASE
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
header="arch,net,mapper,set,seed,status,latency_cycles,latency_ns,crossbars_used,pes_used,cells_used,cell_utilization,computation_parallelism,noc_bytes,noc_byte_hops,macs,matches_reference,output_max_abs_error,command"
{
  echo "$header"
  echo "configs/spatem.yaml,workloads/networks/lenet5.yaml,isaac,,1,ok,100,100,10,2,1000,0.5,2,400,800,416520,true,0,reramsim run"
  echo "configs/spatem.yaml,workloads/networks/lenet5.yaml,hitm,,1,ok,80,80,20,3,1500,0.5,3,500,900,416520,true,0,reramsim run"
  echo "configs/spatem.yaml,workloads/networks/lenet5.yaml,spatem,,1,ok,60,60,40,5,3000,0.5,6,300,700,416520,true,0,reramsim run"
  echo "configs/spatem.yaml,workloads/networks/deepface.yaml,isaac,,1,failed (exit 2),,,,,,,,,,,,,reramsim run"
} > "$tmp/results.csv"

case "$1" in
  charts)
    # One PNG per metric, each a real PNG file.
    "$py" scripts/plot.py results "$tmp/results.csv" "$tmp/out" 2>"$tmp/err"
    for metric in latency_cycles computation_parallelism noc_bytes cells_used; do
      head -c 8 "$tmp/out/$metric.png" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" ||
        { echo "no PNG for $metric"; exit 1; }
    done
    grep -q "deepface" "$tmp/err" || { echo "the failed row is not named on stderr"; exit 1; }
    ;;
  bad-input)
    # A missing column: one line naming the file, exit 2, no PNG left.
    cut -d, -f1-6 "$tmp/results.csv" > "$tmp/short.csv"
    set +e
    "$py" scripts/plot.py results "$tmp/short.csv" "$tmp/out2" 2>"$tmp/err"
    code=$?
    set -e
    [ "$code" -eq 2 ] || { echo "exit $code, expected 2"; exit 1; }
    [ "$(wc -l < "$tmp/err")" -eq 1 ] || { echo "not one line:"; cat "$tmp/err"; exit 1; }
    grep -q "short.csv" "$tmp/err" || { echo "the file is not named"; exit 1; }
    ! ls "$tmp"/out2/*.png >/dev/null 2>&1 || { echo "a PNG was left"; exit 1; }
    ;;
  table)
    # Hand calculation: LeNet-5 latency reduction against ISAAC (100 - 60) /
    # 100 = +40.00%, against HitM (80 - 60) / 80 = +25.00%; used cells
    # 3000 / 1000 = 3.00x.
    "$py" scripts/results_table.py spatem "$tmp/results.csv" > "$tmp/table.md" 2>"$tmp/err"
    grep -q "+40.00%" "$tmp/table.md" || { echo "no +40.00%"; cat "$tmp/table.md"; exit 1; }
    grep -q "+25.00%" "$tmp/table.md" || { echo "no +25.00%"; exit 1; }
    grep -q "3.00x" "$tmp/table.md" || { echo "no 3.00x"; exit 1; }
    ;;
  *)
    echo "unknown case $1"; exit 2 ;;
esac
echo "1 passed, 0 failed"
