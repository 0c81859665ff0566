#!/usr/bin/python3
"""Plots of reramsim results (docs/results.md).

    plot.py results RESULTS.csv OUTDIR
        Grouped bar charts of a `reramsim sweep` CSV, as the SPATEM evaluation
        plots them: network on x, one bar per mapper (and per `--set` value
        when the sweep has several), one PNG per metric in OUTDIR:
        latency_cycles.png, computation_parallelism.png, noc_bytes.png,
        cells_used.png. Rows whose status is not "ok" are skipped and named on
        stderr; "values differ" rows are plotted hatched and named on stderr.

    plot.py heatmap STATS.json OUT.png [--metric busy|crossbar|alu]
        Per-PE busy cycles of a `reramsim run --stats` file as a pe_x x pe_y
        heat map. The grid comes from the config file the statistics name
        (stats["arch"]["file"], chip.pe_grid.x / .y).

Bad input: a one-line message naming the file and what was expected, exit
code 2, and no PNG written. PNGs are written under a temporary name and
renamed, without timestamps in their metadata.
Run with Debian's /usr/bin/python3 and python3-matplotlib (python3-yaml is
used when present).
"""

import argparse
import csv
import json
import math
import os
import re
import sys
import tempfile

PROG = "plot.py"


class InputError(Exception):
    """Bad input: reported as one line, exit code 2."""


def load_matplotlib():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise InputError(f"matplotlib: expected python3-matplotlib to be installed ({e})")
    plt.rcParams["svg.hashsalt"] = "reramsim"
    return plt


def save_png(fig, path):
    """Writes fig to path atomically (temporary name, then rename)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            fig.savefig(out, format="png", dpi=120, metadata={"Software": None})
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------- results

METRICS = [
    # column, title, axis label
    ("latency_cycles", "Inference latency", "latency (cycles)"),
    ("computation_parallelism", "Computation parallelism",
     "crossbars busy at once, on average"),
    ("noc_bytes", "Communication", "NoC bytes per inference"),
    ("cells_used", "Resource utilization", "used crossbar cells"),
]
REQUIRED = ["net", "mapper", "status"] + [m[0] for m in METRICS]


def network_name(path):
    base = os.path.basename(path)
    for ext in (".yaml", ".yml"):
        if base.endswith(ext):
            return base[: -len(ext)]
    return base


def read_results(path):
    """Rows of a sweep CSV as dicts, with the metrics as floats."""
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames
            if not header:
                raise InputError(f"{path}: expected a reramsim sweep CSV with a header row, "
                                 "found an empty file")
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise InputError(f"{path}: expected column(s) {', '.join(missing)} "
                                 "(a reramsim sweep CSV)")
            rows = []
            for row in reader:
                row["_line"] = reader.line_num
                rows.append(row)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    except (csv.Error, UnicodeDecodeError) as e:
        raise InputError(f"{path}: expected a CSV file ({e})")
    return rows


def usable_rows(path, rows):
    """The rows to plot, with their metrics parsed; notes the rest on stderr."""
    kept = []
    for row in rows:
        status = (row.get("status") or "").strip()
        label = f"{network_name(row['net'])} / {row['mapper']}"
        if row.get("set"):
            label += f" [{row['set']}]"
        if status not in ("ok", "values differ"):
            print(f"{PROG}: {path}: line {row['_line']}: skipping {label}: status '{status}'",
                  file=sys.stderr)
            continue
        if status == "values differ":
            print(f"{PROG}: {path}: line {row['_line']}: {label}: values differ from the "
                  "reference (plotted hatched)", file=sys.stderr)
        values = {}
        for column, _, _ in METRICS:
            text = (row.get(column) or "").strip()
            try:
                values[column] = float(text)
            except ValueError:
                raise InputError(f"{path}: line {row['_line']}: expected a number in column "
                                 f"'{column}', found '{text}'")
        row["_values"] = values
        kept.append(row)
    return kept


def series_label(row, with_set, with_arch):
    label = row["mapper"]
    if with_arch:
        label = f"{network_name(row.get('arch', ''))} {label}"
    if with_set:
        label += f" ({row.get('set') or 'default'})"
    return label


def plot_results(path, outdir):
    rows = usable_rows(path, read_results(path))
    if not rows:
        raise InputError(f"{path}: expected at least one row with status 'ok', found none")
    with_set = len({r.get("set", "") for r in rows}) > 1
    with_arch = len({r.get("arch", "") for r in rows}) > 1
    nets, series, table = [], [], {}
    for row in rows:
        net = network_name(row["net"])
        s = series_label(row, with_set, with_arch)
        if net not in nets:
            nets.append(net)
        if s not in series:
            series.append(s)
        if (net, s) in table:
            print(f"{PROG}: {path}: line {row['_line']}: a second row for {net} / {s}; "
                  "plotting the last", file=sys.stderr)
        table[(net, s)] = row

    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise InputError(f"{outdir}: expected a directory for the PNGs, found a file")
    plt = load_matplotlib()
    os.makedirs(outdir, exist_ok=True)
    title_suffix = ""
    archs = sorted({network_name(r.get("arch", "")) for r in rows})
    if len(archs) == 1 and archs[0]:
        title_suffix = f" on {archs[0]}"
    written = []
    for column, title, ylabel in METRICS:
        fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(nets) + 2.0), 4.2))
        width = 0.8 / len(series)
        values = [r["_values"][column] for r in table.values()]
        positive = [v for v in values if v > 0]
        log = bool(positive) and max(positive) / min(positive) > 100.0
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for i, s in enumerate(series):
            xs, hs, hatches = [], [], []
            for j, net in enumerate(nets):
                row = table.get((net, s))
                if row is None:
                    continue
                xs.append(j - 0.4 + width * (i + 0.5))
                hs.append(row["_values"][column])
                hatches.append("//" if row["status"] == "values differ" else "")
            bars = ax.bar(xs, hs, width, label=s, color=colors[i % len(colors)],
                          edgecolor="black", linewidth=0.5)
            for bar, hatch in zip(bars, hatches):
                bar.set_hatch(hatch)
            for x, h in zip(xs, hs):
                text = f"{h:.3g}" if abs(h) < 1e3 else \
                    f"{h:.2e}".replace("e+0", "e").replace("e+", "e")
                ax.annotate(text, (x, h), textcoords="offset points", xytext=(0, 2),
                            ha="center", va="bottom", fontsize=6, rotation=90)
        for j, net in enumerate(nets):
            absent = [s for s in series if (net, s) not in table]
            if absent:
                ax.annotate("no " + ", ".join(absent), (j - 0.4, 0),
                            xycoords=("data", "axes fraction"), xytext=(2, 3),
                            textcoords="offset points", ha="left", va="bottom", fontsize=6,
                            color="gray")
        ax.set_xticks(range(len(nets)))
        ax.set_xticklabels(nets)
        ax.set_xlim(-0.6, len(nets) - 0.4)
        ax.set_ylabel(ylabel + (" (log scale)" if log else ""))
        if log:
            ax.set_yscale("log")
            lo = min(positive)
            ax.set_ylim(10 ** math.floor(math.log10(lo)), max(positive) * 8)
        else:
            ax.set_ylim(0, max(values + [0.0]) * 1.2 or 1.0)
        ax.set_title(title + title_suffix)
        ax.legend(fontsize=8, ncol=min(len(series), 4))
        ax.grid(axis="y", linewidth=0.3)
        fig.tight_layout()
        out = os.path.join(outdir, column + ".png")
        try:
            save_png(fig, out)
        finally:
            plt.close(fig)
        written.append(out)
    for out in written:
        print(f"{PROG}: wrote {out}", file=sys.stderr)


# ---------------------------------------------------------------- heatmap

HEATMAP_KEYS = {
    "busy": ("pe_busy_cycles", "any unit busy"),
    "crossbar": ("pe_crossbar_busy_cycles", "crossbars busy"),
    "alu": ("pe_alu_busy_cycles", "ALU/SFU busy"),
}


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: expected reramsim --stats JSON ({e})")


def get(obj, path, keys, kind):
    cur = obj
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            raise InputError(f"{path}: expected key '{'.'.join(keys)}' ({kind}) in the "
                             "reramsim --stats JSON")
        cur = cur[k]
    return cur


def find_config(stats_path, name):
    """The config file the statistics name: as given (relative to the working
    directory), else relative to the statistics file or to the repository."""
    if os.path.isabs(name):
        return name if os.path.isfile(name) else None
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for base in (os.getcwd(), os.path.dirname(os.path.abspath(stats_path)), repo):
        candidate = os.path.join(base, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def pe_grid(config):
    """chip.pe_grid.x and .y of a reramsim config file."""
    try:
        with open(config) as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"{config}: cannot read ({e.strerror})")
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise InputError(f"{config}: expected a YAML config ({str(e).splitlines()[0]})")
        try:
            grid = doc["chip"]["pe_grid"]
            x, y = grid["x"], grid["y"]
        except (TypeError, KeyError):
            raise InputError(f"{config}: expected chip.pe_grid.x and chip.pe_grid.y")
    else:
        # Minimal read: the pe_grid line inside chip, flow ({x: 12, y: 14})
        # or block form.
        m = re.search(r"^\s+pe_grid:\s*\{\s*x:\s*(\d+)\s*,\s*y:\s*(\d+)\s*\}", text, re.M)
        if not m:
            m = re.search(r"^\s+pe_grid:\s*(?:#.*)?\n\s+x:\s*(\d+)[^\n]*\n\s+y:\s*(\d+)",
                          text, re.M)
        if not m:
            raise InputError(f"{config}: expected chip.pe_grid.x and chip.pe_grid.y")
        x, y = m.group(1), m.group(2)
    try:
        x, y = int(x), int(y)
    except (TypeError, ValueError):
        raise InputError(f"{config}: expected integers in chip.pe_grid.x and chip.pe_grid.y")
    if x < 1 or y < 1:
        raise InputError(f"{config}: expected positive chip.pe_grid.x and chip.pe_grid.y")
    return x, y


def plot_heatmap(path, out, metric):
    stats = read_json(path)
    if not isinstance(stats, dict):
        raise InputError(f"{path}: expected a JSON object (reramsim --stats)")
    key, what = HEATMAP_KEYS[metric]
    values = get(stats, path, [key], "per-PE cycles")
    pes = get(stats, path, ["resources", "pes"], "the chip's PEs")
    arch_file = get(stats, path, ["arch", "file"], "the config file")
    latency = stats.get("latency_cycles", 0)
    if not isinstance(values, list) or not all(isinstance(v, (int, float)) for v in values):
        raise InputError(f"{path}: expected '{key}' to be a list of numbers")
    if not isinstance(pes, int) or len(values) != pes:
        raise InputError(f"{path}: expected '{key}' to have resources.pes = {pes} entries, "
                         f"found {len(values)}")
    config = find_config(path, str(arch_file))
    if config is None:
        raise InputError(f"{path}: expected the config file arch.file = '{arch_file}' to exist "
                         "(relative to the working directory, the statistics or the repository)")
    px, py = pe_grid(config)
    if px * py != pes:
        raise InputError(f"{config}: expected chip.pe_grid {px} x {py} to hold the "
                         f"{pes} PEs of {path}")
    if os.path.isdir(out):
        raise InputError(f"{out}: expected a PNG file name, found a directory")
    out_dir = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(out_dir):
        raise InputError(f"{out}: expected an existing directory for the PNG")

    plt = load_matplotlib()
    import numpy
    grid = numpy.ma.masked_equal(
        numpy.array([[values[y * px + x] for x in range(px)] for y in range(py)], dtype=float),
        0.0)
    vmax = max(values) or 1
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("lightgray")  # PEs with no busy cycles (unused)
    fig, ax = plt.subplots(figsize=(max(4.5, 0.42 * px + 2.5), max(3.5, 0.42 * py + 1.5)))
    image = ax.imshow(grid, cmap=cmap, vmin=0, vmax=vmax, origin="upper",
                      interpolation="nearest")
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(f"cycles ({what}); gray: 0")
    if px * py <= 400 and isinstance(latency, (int, float)) and latency > 0:
        for y in range(py):
            for x in range(px):
                v = values[y * px + x]
                if v:
                    pct = 100.0 * v / latency
                    label = f"{pct:.0f}" if pct >= 9.5 else f"{pct:.1f}" if pct >= 0.05 else "<.1"
                    ax.text(x, y, label, ha="center",
                            va="center", fontsize=5,
                            color="white" if v < 0.6 * vmax else "black")
    ax.set_xlabel("pe x")
    ax.set_ylabel("pe y")
    ax.set_xticks(range(px))
    ax.set_yticks(range(py))
    ax.tick_params(labelsize=6)
    net = stats.get("network", {}).get("name", "?") if isinstance(stats.get("network"), dict) \
        else "?"
    arch = stats.get("arch", {}).get("name", "?")
    mapper = stats.get("mapper", "?")
    used = sum(1 for v in values if v)
    title = f"{net} on {arch}, mapper {mapper}: {what} per PE"
    sub = f"{used} PEs busy; max {max(values):,} cycles"
    if latency:
        sub += f" of {latency:,} (labels: % of latency)"
    ax.set_title(title + "\n" + sub, fontsize=8)
    fig.tight_layout()
    try:
        save_png(fig, out)
    finally:
        plt.close(fig)
    print(f"{PROG}: wrote {out}", file=sys.stderr)


def main(argv):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("results", help="bar charts of a sweep CSV")
    r.add_argument("csv")
    r.add_argument("outdir")
    h = sub.add_parser("heatmap", help="per-PE busy time of a stats JSON")
    h.add_argument("stats")
    h.add_argument("out")
    h.add_argument("--metric", choices=sorted(HEATMAP_KEYS), default="busy")
    args = parser.parse_args(argv)
    try:
        if args.command == "results":
            plot_results(args.csv, args.outdir)
        else:
            plot_heatmap(args.stats, args.out, args.metric)
    except InputError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
