#!/usr/bin/python3
"""Markdown tables of reramsim results against the papers (docs/results.md).

    results_table.py spatem RESULTS.csv
        SPATEM's evaluation (000_95e50d1ef642925c.txt): per network (lenet5,
        deepid, deepface, caffenet, overfeat_fast, then any other in the CSV)
        and mapper (isaac, hitm, spatem, then any other): latency, computation
        parallelism, communication (NoC bytes), used cells, whether the values
        match the reference; then SPATEM against each baseline per network
        and averaged over the networks where both ran.

    results_table.py rereram RESULTS.csv DIR
        Re-ReRAM's evaluation (001_ea7aef8f81a45a7e.txt, Section XI): the
        sweep's rows, and from DIR's NET-MAPPER-bnMODE.stats.json (reramsim
        run --stats) and NET-MAPPER-bnMODE.map.json (reramsim map --report)
        the pipeline stages, the BatchNorm cost and the compute /
        communication breakdown per network and per layer.

Bad input: a one-line message naming the file and what was expected, exit 2.
"""

import csv
import glob
import json
import os
import re
import sys

PROG = "results_table.py"
SPATEM_NETS = ["lenet5", "deepid", "deepface", "caffenet", "overfeat_fast"]
SPATEM_MAPPERS = ["isaac", "hitm", "spatem"]
BASELINES = ["isaac", "hitm"]
CSV_COLUMNS = ["arch", "net", "mapper", "set", "status", "latency_cycles", "latency_ns",
               "crossbars_used", "pes_used", "cells_used", "computation_parallelism",
               "noc_bytes", "macs", "matches_reference"]
NUMERIC = ["latency_cycles", "latency_ns", "crossbars_used", "pes_used", "cells_used",
           "computation_parallelism", "noc_bytes", "macs"]


class InputError(Exception):
    pass


def stem(path):
    base = os.path.basename(path)
    return re.sub(r"\.ya?ml$", "", base)


def read_csv(path):
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames:
                raise InputError(f"{path}: expected a reramsim sweep CSV with a header row, "
                                 "found an empty file")
            missing = [c for c in CSV_COLUMNS if c not in reader.fieldnames]
            if missing:
                raise InputError(f"{path}: expected column(s) {', '.join(missing)} "
                                 "(a reramsim sweep CSV)")
            rows = []
            for row in reader:
                row["_line"] = reader.line_num
                row["_net"] = stem(row["net"])
                row["_ok"] = row["status"] in ("ok", "values differ")
                if row["_ok"]:
                    for c in NUMERIC:
                        try:
                            row[c] = float(row[c])
                        except ValueError:
                            raise InputError(f"{path}: line {row['_line']}: expected a number "
                                             f"in column '{c}', found '{row[c]}'")
                rows.append(row)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    except (csv.Error, UnicodeDecodeError) as e:
        raise InputError(f"{path}: expected a CSV file ({e})")
    if not rows:
        raise InputError(f"{path}: expected at least one result row, found none")
    return rows


def fmt_int(v):
    return f"{int(round(v)):,}"


def fmt_pct(v):
    return f"{v:+.2f}%"


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def ordered(found, preferred):
    return [x for x in preferred if x in found] + sorted(x for x in found if x not in preferred)


# ---------------------------------------------------------------- spatem


def spatem(path):
    rows = read_csv(path)
    table = {}
    for r in rows:
        key = (r["_net"], r["mapper"])
        if key in table:
            print(f"{PROG}: {path}: line {r['_line']}: a second row for {key[0]} / {key[1]}; "
                  "using the last", file=sys.stderr)
        table[key] = r
    nets = ordered({n for n, _ in table}, SPATEM_NETS)
    mappers = ordered({m for _, m in table}, SPATEM_MAPPERS)
    for n in SPATEM_NETS:
        if n not in nets:
            print(f"{PROG}: {path}: no row for network {n}", file=sys.stderr)
    archs = sorted({stem(r["arch"]) for r in rows})

    out = []
    out.append(f"Source: `{path}` (arch {', '.join(archs)}; one inference, seed as in the CSV).")
    out.append("")
    out.append("### Per network and mapper")
    out.append("")
    body = []
    for n in nets:
        for m in mappers:
            r = table.get((n, m))
            if r is None:
                continue
            if not r["_ok"]:
                body.append([n, m, r["status"], "", "", "", "", "", ""])
                continue
            body.append([n, m, fmt_int(r["latency_cycles"]),
                         f"{r['computation_parallelism']:.2f}", fmt_int(r["noc_bytes"]),
                         fmt_int(r["cells_used"]), fmt_int(r["crossbars_used"]),
                         fmt_int(r["pes_used"]),
                         "yes" if r["matches_reference"] == "true" else "**no**"])
    out.append(md_table(["network", "mapper", "latency (cycles)", "computation parallelism",
                         "communication (NoC bytes)", "used cells", "crossbars", "PEs",
                         "matches reference"], body))
    out.append("")

    if "spatem" not in mappers:
        out.append("No `spatem` rows: no comparison.")
        return "\n".join(out) + "\n"

    def ok(n, m):
        r = table.get((n, m))
        return r if r is not None and r["_ok"] else None

    out.append("### SPATEM against the baselines, per network")
    out.append("")
    body = []
    per_base = {b: {"lat": [], "cells": [], "comm": [], "par": []} for b in BASELINES}
    excluded = []
    for n in nets:
        s = ok(n, "spatem")
        for b in BASELINES:
            r = ok(n, b)
            if s is None or r is None:
                why = []
                if s is None:
                    why.append("spatem " + (table[(n, "spatem")]["status"]
                                            if (n, "spatem") in table else "missing"))
                if r is None:
                    why.append(b + " " + (table[(n, b)]["status"] if (n, b) in table
                                          else "missing"))
                excluded.append(f"{n} vs {b} ({', '.join(why)})")
                body.append([n, b, "", "", "", "", "", "n/a: " + ", ".join(why)])
                continue
            lat = 100.0 * (r["latency_cycles"] - s["latency_cycles"]) / r["latency_cycles"]
            cells = s["cells_used"] / r["cells_used"]
            comm = 100.0 * (r["noc_bytes"] - s["noc_bytes"]) / r["noc_bytes"]
            par = s["computation_parallelism"] / r["computation_parallelism"]
            per_base[b]["lat"].append(lat)
            per_base[b]["cells"].append(cells)
            per_base[b]["comm"].append(comm)
            per_base[b]["par"].append(par)
            body.append([n, b, fmt_int(s["macs"]), fmt_pct(lat), f"{cells:.2f}x",
                         fmt_pct(comm), f"{par:.2f}x", ""])
    out.append(md_table(["network", "baseline", "MACs", "latency reduction",
                         "used cells (SPATEM / baseline)", "communication reduction",
                         "computation parallelism (SPATEM / baseline)", "note"], body))
    out.append("")

    out.append("### Averages over networks (the slides' summary numbers)")
    out.append("")
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")
    body = []
    both = {"lat": [], "cells": [], "comm": [], "par": []}
    for b in BASELINES:
        d = per_base[b]
        for k in both:
            both[k] += d[k]
        if d["lat"]:
            body.append([f"vs {b}", len(d["lat"]), fmt_pct(mean(d["lat"])),
                         f"{mean(d['cells']):.2f}x", fmt_pct(mean(d["comm"])),
                         f"{mean(d['par']):.2f}x"])
    if both["lat"]:
        body.append(["vs both (all pairs)", len(both["lat"]), fmt_pct(mean(both["lat"])),
                     f"{mean(both['cells']):.2f}x", fmt_pct(mean(both["comm"])),
                     f"{mean(both['par']):.2f}x"])
    body.append(["paper (slides)", 5, "+29.24%", "3.19x", "+31.28%", "higher"])
    out.append(md_table(["comparison", "networks", "latency reduction", "used cells ratio",
                         "communication reduction", "computation parallelism ratio"], body))
    out.append("")
    out.append("How computed: per network, latency reduction = (L_baseline - L_SPATEM) / "
               "L_baseline, communication reduction the same on NoC bytes, used cells ratio = "
               "cells_SPATEM / cells_baseline; each averaged arithmetically over the networks "
               "where both mappers ran (status ok or values differ), separately against ISAAC "
               "and HitM, and over all (network, baseline) pairs together. Positive reductions "
               "favour SPATEM.")
    if excluded:
        out.append("")
        out.append("Excluded: " + "; ".join(excluded) + ".")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- rereram


NAME_RE = re.compile(r"^(?P<net>.+)-(?P<mapper>[^-]+)-bn(?P<bn>[a-z]+)\.stats\.json$")


def read_json(path, what):
    try:
        with open(path) as f:
            data = json.load(f)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: expected {what} ({e})")
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected {what} (a JSON object)")
    return data


def need(obj, path, keys, what):
    cur = obj
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            raise InputError(f"{path}: expected key '{'.'.join(keys)}' in {what}")
        cur = cur[k]
    return cur


def load_runs(directory):
    if not os.path.isdir(directory):
        raise InputError(f"{directory}: expected a directory holding NET-MAPPER-bnMODE."
                         "stats.json and .map.json files")
    runs = []
    for stats_path in sorted(glob.glob(os.path.join(directory, "*.stats.json"))):
        m = NAME_RE.match(os.path.basename(stats_path))
        if not m:
            print(f"{PROG}: {stats_path}: name not NET-MAPPER-bnMODE.stats.json; ignored",
                  file=sys.stderr)
            continue
        stats = read_json(stats_path, "reramsim run --stats JSON")
        for keys in (["latency_cycles"], ["layers"], ["resources", "pes_used"],
                     ["pe_busy_cycles"], ["pe_crossbar_busy_cycles"], ["pe_alu_busy_cycles"],
                     ["noc", "networks"], ["actions"], ["functional", "matches_reference"]):
            need(stats, stats_path, keys, "reramsim run --stats JSON")
        map_path = stats_path[: -len(".stats.json")] + ".map.json"
        report = read_json(map_path, "reramsim map --report JSON")
        need(report, map_path, ["layers"], "reramsim map --report JSON")
        runs.append({"net": m["net"], "mapper": m["mapper"], "bn": m["bn"],
                     "stats": stats, "map": report, "path": stats_path})
    if not runs:
        raise InputError(f"{directory}: expected NET-MAPPER-bnMODE.stats.json files, found none")
    return runs


def layer_breakdown(run):
    """Per layer: its PEs (from the map report) and their busy cycles."""
    s, rep = run["stats"], run["map"]
    pes_of = {l["name"]: l.get("pes", []) for l in rep["layers"]}
    owners = {}
    for name, pes in pes_of.items():
        for p in pes:
            owners.setdefault(p, []).append(name)
    busy, xbar, alu = s["pe_busy_cycles"], s["pe_crossbar_busy_cycles"], s["pe_alu_busy_cycles"]
    out = []
    for l in s["layers"]:
        pes = pes_of.get(l["name"], [])
        shared = any(len(owners[p]) > 1 for p in pes)
        mx = lambda arr: max((arr[p] for p in pes), default=0)
        est = {e["name"]: e.get("estimated_cycles") for e in rep["layers"]}.get(l["name"])
        out.append({"name": l["name"], "type": l["type"], "pes": len(pes), "shared": shared,
                    "estimate": est,
                    "span": l["cycles"], "start": l["start_cycle"], "end": l["end_cycle"],
                    "crossbars": l.get("crossbars", 0), "array": l.get("array_cycles", 0),
                    "busy": mx(busy), "xbar": mx(xbar), "alu": mx(alu)})
    return out


def rereram(path, directory):
    rows = read_csv(path)
    runs = load_runs(directory)
    out = []
    out.append(f"Sources: `{path}` and the `*.stats.json` / `*.map.json` files in "
               f"`{directory}` (one inference each).")
    out.append("")
    out.append("### Per network, mapper and BatchNorm mode (sweep)")
    out.append("")
    body = []
    nets = ordered({r["_net"] for r in rows}, ["lenet5", "resnet34"])
    mappers = ordered({r["mapper"] for r in rows}, ["simple", "local"])
    for n in nets:
        for m in mappers:
            for r in [r for r in rows if r["_net"] == n and r["mapper"] == m]:
                if not r["_ok"]:
                    body.append([n, m, r["set"], r["status"], "", "", "", "", "", ""])
                    continue
                body.append([n, m, r["set"] or "(config default)", fmt_int(r["latency_cycles"]),
                             f"{r['latency_ns'] / 1000.0:.1f}", fmt_int(r["pes_used"]),
                             fmt_int(r["crossbars_used"]),
                             f"{r['computation_parallelism']:.2f}", fmt_int(r["noc_bytes"]),
                             "yes" if r["matches_reference"] == "true" else "**no**"])
    out.append(md_table(["network", "mapper", "set", "latency (cycles)", "latency (us)",
                         "PEs used", "crossbars used", "computation parallelism", "NoC bytes",
                         "matches reference"], body))
    out.append("")
    out.append("Paper, Table VII: LeNet-5 0.023 ms per image (workload 1); ResNet-34 0.019 ms "
               "per image over a workload of 10,000 images (pipelined); Section XI.B: at least "
               "87 PEs for ResNet-34.")
    out.append("")

    runs.sort(key=lambda r: (nets.index(r["net"]) if r["net"] in nets else 99, r["net"],
                             mappers.index(r["mapper"]) if r["mapper"] in mappers else 99,
                             r["mapper"], r["bn"] != "fold", r["bn"]))

    out.append("### Pipeline stages (per stats JSON)")
    out.append("")
    body = []
    for run in runs:
        s = run["stats"]
        layers = layer_breakdown(run)
        slow_span = max(layers, key=lambda l: l["span"])
        slow_busy = max(layers, key=lambda l: l["busy"])
        clock = s.get("clock_mhz", 1000) or 1000
        body.append([run["net"], run["mapper"], run["bn"], fmt_int(s["latency_cycles"]),
                     fmt_int(s["resources"]["pes_used"]),
                     f"{slow_span['name']} {fmt_int(slow_span['span'])}",
                     f"{slow_busy['name']} {fmt_int(slow_busy['busy'])}",
                     f"{slow_busy['busy'] / clock:.1f}",
                     fmt_int(s.get("programming", {}).get("cycles", 0))])
    out.append(md_table(["network", "mapper", "BatchNorm", "latency (cycles)", "PEs used",
                         "slowest layer by span (end - start cycles)",
                         "slowest stage: layer with the busiest PE (busy cycles)",
                         "that stage in us (= per-image time if pipelined over images)",
                         "configuration (cycles, before inference)"], body))
    out.append("")
    out.append("Span is `layers[].cycles` (first MVM to last send, waits for the producer's rows "
               "included; layers overlap). A stage's busy time is the most any PE of the layer "
               "was busy (`pe_busy_cycles`, PEs from the map report): the time the layer "
               "occupies its PEs per image, which would bound the per-image time if images "
               "streamed through the pipeline (not simulated: one inference per run).")
    out.append("")

    out.append("### Compute against communication (whole network)")
    out.append("")
    body = []
    for run in runs:
        s = run["stats"]
        nets_ = s["noc"]["networks"]
        xbar = sum(s["pe_crossbar_busy_cycles"])
        alu = sum(s["pe_alu_busy_cycles"])
        mesh = nets_.get("mesh", {})
        ft = nets_.get("fat_tree", {})
        body.append([run["net"], run["mapper"], run["bn"], fmt_int(s["latency_cycles"]),
                     fmt_int(xbar), fmt_int(alu), fmt_int(s["actions"].get("sfu_ops", 0)),
                     fmt_int(s["noc"]["bytes"]), fmt_int(mesh.get("link_busy_cycles", 0)),
                     fmt_int(mesh.get("wait_cycles", 0)),
                     fmt_int(mesh.get("average_latency_cycles", 0)),
                     fmt_int(ft.get("wait_cycles", 0))])
    out.append(md_table(["network", "mapper", "BatchNorm", "latency", "crossbar busy (sum over PEs)",
                         "ALU/SFU busy (sum)", "SFU ops", "NoC bytes", "mesh link busy (sum)",
                         "mesh wait cycles", "mesh avg packet latency", "fat-tree wait cycles"],
                        body))
    out.append("")

    by_key = {(r["net"], r["mapper"], r["bn"]): r for r in runs}
    for run in runs:
        if run["bn"] != "execute":
            continue
        fold = by_key.get((run["net"], run["mapper"], "fold"))
        ex = layer_breakdown(run)
        fo = {l["name"]: l for l in layer_breakdown(fold)} if fold else {}
        if not any(l["type"] in ("conv", "fc") for l in ex):
            continue
        out.append(f"### Per layer: {run['net']}, mapper {run['mapper']} "
                   "(BatchNorm executed against folded)")
        out.append("")
        lat_e = run["stats"]["latency_cycles"]
        if fold:
            lat_f = fold["stats"]["latency_cycles"]
            out.append(f"Latency {fmt_int(lat_f)} cycles folded, {fmt_int(lat_e)} executed "
                       f"({100.0 * (lat_e - lat_f) / lat_f:+.2f}%).")
            out.append("")
        body = []
        for l in ex:
            f = fo.get(l["name"])
            bn_alu = l["alu"] - f["alu"] if f else None
            wait = max(0, l["span"] - l["busy"])  # busy may extend past the span's ends
            body.append([l["name"], l["type"], f"{l['pes']}{' (shared)' if l['shared'] else ''}",
                         fmt_int(l["estimate"]) if l["estimate"] is not None else "",
                         fmt_int(f["span"]) if f else "", fmt_int(l["span"]), fmt_int(l["xbar"]),
                         fmt_int(f["alu"]) if f else "", fmt_int(l["alu"]),
                         fmt_int(bn_alu) if bn_alu is not None else "", fmt_int(l["busy"]),
                         fmt_int(wait), f"{100.0 * wait / l['span']:.0f}%" if l["span"] else ""])
        out.append(md_table(["layer", "type", "PEs", "latency-model estimate",
                             "span folded", "span executed",
                             "crossbar busy (max PE)", "ALU busy folded (max PE)",
                             "ALU busy executed (max PE)", "BatchNorm on the ALU (difference)",
                             "PE busy executed (max PE)", "not busy in its span (executed)",
                             "share"], body))
        out.append("")
    out.append("Per layer, the busy columns are the most any of the layer's PEs was busy "
               "(crossbars, ALU/SFU, any unit). \"Not busy in its span\" = span - PE busy: the "
               "time its busiest PE waited for data (input rows or partial sums over the NoC, "
               "i.e. communication and the producer's pace). BatchNorm on the ALU is the "
               "executed run's ALU busy minus the folded run's on the same PEs. The "
               "latency-model estimate is the map report's `estimated_cycles` (docs/mapping.md: "
               "input + compute + partial-sum transfer + reduce, the layer alone).")
    return "\n".join(out) + "\n"


def main(argv):
    usage = ("usage: results_table.py spatem RESULTS.csv\n"
             "       results_table.py rereram RESULTS.csv DIR")
    if len(argv) < 1 or argv[0] in ("-h", "--help"):
        print(usage, file=sys.stderr if not argv else sys.stdout)
        return 0 if argv else 2
    try:
        if argv[0] == "spatem" and len(argv) == 2:
            sys.stdout.write(spatem(argv[1]))
        elif argv[0] == "rereram" and len(argv) == 3:
            sys.stdout.write(rereram(argv[1], argv[2]))
        else:
            print(usage, file=sys.stderr)
            return 2
    except InputError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
