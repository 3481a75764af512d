#!/usr/bin/python3
"""Plots and an HTML report of a trine sweep (run by `trine report DIR`; embedded in trine).

Reads DIR/results.csv and each point's DIR/points/ID/layers.csv, writes into DIR/report/:
energy_latency.{png,svg} (energy per inference against latency, the Pareto front marked),
energy_breakdown.{png,svg} (stacked energy per component, with and without DRAM),
utilization.{png,svg} (array utilization per layer and point), and report.html, which shows
them with the results table and needs no other file. Usage: sweep_report.py DIR
"""
import base64
import csv
import html
import io
import os
import sys

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "trine"  # the same SVG bytes for the same inputs
matplotlib.rcParams["svg.fonttype"] = "none"
import matplotlib.pyplot as plt  # noqa: E402

COMPONENTS = ["dram", "buffers", "decoder", "array", "leakage"]
COLORS = {"dram": "#4e79a7", "buffers": "#f28e2b", "decoder": "#76b7b2", "array": "#e15759",
          "leakage": "#59a14f"}
FIXED = {"point", "id", "status", "error", "network", "batch", "cycles", "latency_us",
         "stall_cycles", "utilization", "dram_bytes_read", "dram_bytes_written",
         "energy_per_inference_nj", "energy_on_chip_nj", "area_mm2", "inferences_per_second",
         "inferences_per_joule", "layers_over_bounds", "accuracy"} | {
             f"energy_{c}_nj" for c in COMPONENTS}


def fail(msg):
    print(f"trine report: {msg}", file=sys.stderr)
    sys.exit(2)


def load(dir_):
    path = os.path.join(dir_, "results.csv")
    if not os.path.exists(path):
        fail(f"{path}: no such file (run `trine sweep SPEC -o {dir_}` first)")
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = reader.fieldnames or []
    axes = [h for h in header if h not in FIXED]
    return header, axes, rows


def label(row, axes):
    return ", ".join(f"{a.split('.')[-1]}={row[a]}" for a in axes)


def pareto(points):
    """Indices of the points no other point beats in both coordinates (smaller is better)."""
    front = []
    for i, (x, y) in enumerate(points):
        if not any((x2 <= x and y2 <= y) and (x2 < x or y2 < y) for x2, y2 in points):
            front.append(i)
    return sorted(front, key=lambda i: points[i])


def save(fig, out, name):
    fig.tight_layout()
    fig.savefig(os.path.join(out, name + ".svg"), metadata={"Date": None})
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    with open(os.path.join(out, name + ".png"), "wb") as f:
        f.write(buf.getvalue())
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def energy_latency(ok, axes, out):
    pts = [(float(r["latency_us"]), float(r["energy_per_inference_nj"])) for r in ok]
    front = pareto(pts)
    fig, ax = plt.subplots(figsize=(8, 5.5))
    ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=18, color="#9aa5b1",
               label="design points")
    ax.plot([pts[i][0] for i in front], [pts[i][1] for i in front], "-o", color="#e15759",
            markersize=6, label="Pareto front")
    for i in front:
        ax.annotate(label(ok[i], axes), pts[i], fontsize=7, xytext=(4, 4),
                    textcoords="offset points")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("latency per batch (us)")
    ax.set_ylabel("energy per inference (nJ)")
    ax.set_title("Energy against latency")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return save(fig, out, "energy_latency"), [ok[i] for i in front]


def breakdown(ok, axes, out):
    n = len(ok)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(8, 0.22 * n + 3), 7.5))
    xs = range(n)
    for ax, comps, title in ((top, COMPONENTS, "Energy per inference by component"),
                             (bottom, COMPONENTS[1:], "On chip (without DRAM)")):
        base = [0.0] * n
        for c in comps:
            v = [float(r[f"energy_{c}_nj"]) for r in ok]
            ax.bar(xs, v, bottom=base, color=COLORS[c], label=c, width=0.8)
            base = [b + x for b, x in zip(base, v)]
        ax.set_ylabel("nJ")
        ax.set_title(title)
        ax.legend(fontsize=8, ncol=5)
        ax.set_xlim(-0.6, n - 0.4)
    bottom.set_xticks(list(xs))
    bottom.set_xticklabels([r["point"] for r in ok], rotation=90, fontsize=6)
    bottom.set_xlabel("point (see the table)")
    top.set_xticks([])
    return save(fig, out, "energy_breakdown")


def utilization(ok, axes, dir_, out):
    layers, grid = [], []
    for r in ok:
        path = os.path.join(dir_, "points", r["id"], "layers.csv")
        util = {}
        if os.path.exists(path):
            with open(path, newline="") as f:
                for row in csv.DictReader(f):
                    if row["kind"] in ("dense", "conv2d"):
                        if row["layer"] not in layers:
                            layers.append(row["layer"])
                        util[row["layer"]] = float(row["utilization"])
        grid.append(util)
    if not layers:
        return None
    data = [[g.get(l, float("nan")) for l in layers] for g in grid]
    n = len(ok)
    fig, ax = plt.subplots(figsize=(2.2 + 0.9 * len(layers), max(3.5, 0.2 * n + 1.5)))
    im = ax.imshow(data, aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks(range(len(layers)))
    ax.set_xticklabels(layers)
    ax.xaxis.tick_top()
    ax.set_yticks(range(n))
    ax.set_yticklabels([f"{r['point']}: {label(r, axes)}" for r in ok], fontsize=6)
    ax.set_title("Array utilization per layer (mapped cell-cycles / cells x cycles)")
    fig.colorbar(im, ax=ax, fraction=0.04)
    return save(fig, out, "utilization")


def table(header, rows):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for r in rows:
        cls = ' class="failed"' if r["status"] != "ok" else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{html.escape(r[h])}</td>" for h in header) +
                    "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def main():
    if len(sys.argv) != 2:
        fail("usage: sweep_report.py DIR")
    dir_ = sys.argv[1]
    header, axes, rows = load(dir_)
    ok = [r for r in rows if r["status"] == "ok"]
    if not ok:
        fail(f"{dir_}/results.csv has no successful point to plot")
    out = os.path.join(dir_, "report")
    os.makedirs(out, exist_ok=True)
    scatter, front = energy_latency(ok, axes, out)
    bars = breakdown(ok, axes, out)
    heat = utilization(ok, axes, dir_, out)
    figures = [("Energy against latency", scatter,
                f"{len(front)} of {len(ok)} points are on the Pareto front (red): no other "
                "point is both faster and more frugal."),
               ("Energy breakdown", bars, "Stacked per component; the lower panel leaves out "
                "the DRAM, which often dominates.")]
    if heat:
        figures.append(("Utilization per layer", heat, "Compute layers of each point."))
    failed = len(rows) - len(ok)
    imgs = "".join(
        f'<h2>{html.escape(t)}</h2><p>{html.escape(note)}</p>'
        f'<img class="plot" alt="{html.escape(t)}" src="data:image/png;base64,{b64}">'
        for t, b64, note in figures)
    front_rows = table(header, front)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>trine sweep report</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
img.plot {{ max-width: 100%; border: 1px solid #ddd; }}
table {{ border-collapse: collapse; font-size: 12px; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: right; white-space: nowrap; }}
th {{ background: #f0f0f0; position: sticky; top: 0; }}
tr.failed td {{ background: #fde2e1; }}
div.scroll {{ overflow: auto; max-height: 40em; }}
</style></head>
<body>
<h1>Sweep report: {html.escape(os.path.basename(os.path.abspath(dir_)))}</h1>
<p>{len(rows)} points: {len(ok)} succeeded, {failed} failed. Axes: {html.escape(', '.join(axes))}.</p>
{imgs}
<h2>Pareto front</h2><div class="scroll">{front_rows}</div>
<h2>All points</h2><div class="scroll">{table(header, rows)}</div>
<script>
// For tests and for people: how many plots decoded.
window.addEventListener("load", function () {{
  var n = 0;
  document.querySelectorAll("img.plot").forEach(function (i) {{
    if (i.complete && i.naturalWidth > 0) n++;
  }});
  document.body.setAttribute("data-plots-loaded", n + "/" + document.querySelectorAll("img.plot").length);
}});
</script>
</body></html>
"""
    with open(os.path.join(out, "report.html.tmp"), "w") as f:
        f.write(page)
    os.replace(os.path.join(out, "report.html.tmp"), os.path.join(out, "report.html"))
    print(f"{out}/report.html: {len(figures)} plots, {len(rows)} points "
          f"({len(front)} on the Pareto front)")


if __name__ == "__main__":
    main()
