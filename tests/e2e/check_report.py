#!/usr/bin/python3
"""Checks a trine report.json against its inputs, independently of trine's code.

recompute REPORT TECH.yaml  every term value equals the technology file's figure, its SRAM
                            table's interpolation, or the resolved design point's key; events (count x sum of value x coefficient) plus
                            static power over the run time give each component and the total;
                            the layers add up to the total.
changed A B COMPONENT       B's energy differs from A's in COMPONENT only.
compare A B EXPR           EXPR (Python, over a and b) holds.
"""
import csv
import json
import math
import os
import sys

import yaml


def close(x, y, rel=1e-9):
    return math.isclose(x, y, rel_tol=rel, abs_tol=1e-9)


def number(text):
    """'12 mA' -> 12.0, '1200 MHz' -> 1.2e9 (what trine's schema means by the unit)."""
    s = str(text).split()
    scale = {"kHz": 1e3, "MHz": 1e6, "GHz": 1e9, "KiB": 1024, "MiB": 1024 ** 2}
    return float(s[0]) * (scale.get(s[1], 1) if len(s) > 1 else 1)


def lookup(tree, dotted):
    for part in dotted.split("."):
        tree = tree[part]
    return tree


def sram_table(tech_path, tech, report):
    """The technology's SRAM table rows (one bank): the CSV beside the technology file, or the
    embedded one the report names (the repository's copy)."""
    path = os.path.join(os.path.dirname(tech_path), tech["sram"]["table"])
    if not os.path.exists(path):
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
        path = report["sram"]["table"].replace("<embedded>", root)
    return [row for row in csv.DictReader(line for line in open(path) if not line.startswith("#"))
            if row["banks"] == "1"]


def table_value(rows, key):
    """'itrs-lop/12288B/96b/1RW/read_pj': bilinear in log2(capacity) and the word width."""
    cell, size, bits, ports, field = key.split("/")
    kib, bits = float(size[:-1]) / 1024, float(bits[:-1])
    rows = [r for r in rows if r["cell_type"] == cell and r["ports"] == ports]
    column, scale = {"read_pj": ("read_energy_pj", 1), "write_pj": ("write_energy_pj", 1),
                     "leakage_uw": ("leakage_mw", 1e3), "area_um2": ("area_mm2", 1e6)}[field]
    at = {(float(r["capacity_kib"]), float(r["word_bits"])): float(r[column]) * scale for r in rows}

    def around(grid, x):
        lo = max(g for g in grid if g <= x)
        hi = min(g for g in grid if g >= x)
        return lo, hi

    k0, k1 = around({k for k, _ in at}, kib)
    w0, w1 = around({w for _, w in at}, bits)
    tk = math.log2(kib / k0) / math.log2(k1 / k0) if k1 > k0 else 0
    tw = (bits - w0) / (w1 - w0) if w1 > w0 else 0
    low = at[(k0, w0)] + (at[(k1, w0)] - at[(k0, w0)]) * tk
    high = at[(k0, w1)] + (at[(k1, w1)] - at[(k0, w1)]) * tk
    return low + (high - low) * tw


def recompute(report_path, tech_path):
    r = json.load(open(report_path))
    tech = yaml.safe_load(open(tech_path))
    design = yaml.safe_load(r["resolved_design_point"])
    table = sram_table(tech_path, tech, r)

    def term_value(t):
        kind, key = t["key"].split(":", 1)
        if kind == "table":
            want = table_value(table, key)
        elif kind == "tech":
            want = number(lookup(tech, key)["value"])
        else:
            want = number(lookup(design, key))
        if not close(t["value"], want):
            sys.exit(f"{t['key']}: report says {t['value']}, the input file {want}")
        return t["value"] * t["coefficient"]

    comps = {c: 0.0 for c in ("dram", "buffers", "decoder", "array", "leakage")}
    for e in r["events"]:
        each = sum(term_value(t) for t in e["terms"])
        if not close(each, e["energy_each_pj"]):
            sys.exit(f"{e['counter']}: {e['energy_each_pj']} pJ each, terms give {each}")
        comps[e["component"]] += e["count"] * each
    seconds = r["energy"]["seconds"]
    if not close(seconds, r["cycles"] / r["clock_hz"]):
        sys.exit(f"energy window {seconds} s is not the latency {r['cycles']} cycles")
    for s in r["static_power"]:
        comps[s["component"]] += sum(term_value(t) for t in s["terms"]) * seconds * 1e6
    got = r["energy"]["components_pj"]
    for c, v in comps.items():
        if not close(v, got[c]):
            sys.exit(f"{c}: recomputed {v} pJ, report says {got[c]}")
    total = sum(comps.values())
    if not close(total, r["energy"]["total_pj"]):
        sys.exit(f"total: recomputed {total} pJ, report says {r['energy']['total_pj']}")
    rows = list(csv.DictReader(open(os.path.join(os.path.dirname(report_path), "layers.csv"))))
    layers = sum(float(row["energy_total_pj"]) for row in rows)
    if not close(layers, total, 1e-6):
        sys.exit(f"layers.csv adds up to {layers} pJ, the total is {total}")
    if len(rows) != len(r["layers"]) or not r["events"]:
        sys.exit("layers.csv and report.json disagree, or no events were priced")
    # Bytes asked for and whole bursts moved: the bursts are what the DRAM's energy priced.
    if design.get("offchip", "dram") == "dram":
        org = design["dram"]["org"]
        burst = number(org["bus_width"]) // 8 * number(org["burst_length"])
        for key, event in (("read", "dram.read"), ("written", "dram.write")):
            moved = sum(l[f"dram_burst_bytes_{key}"] for l in r["layers"])
            priced = sum(e["count"] for e in r["events"] if e["event"] == event) * burst
            asked = sum(l[f"dram_bytes_{key}"] for l in r["layers"])
            if moved != priced or moved < asked:
                sys.exit(f"DRAM bytes {key}: {moved} in bursts, {priced} priced, {asked} asked for")
    print(f"{report_path}: {total / 1e3:.1f} nJ recomputed from {len(r['events'])} counters")


def changed(a_path, b_path, component):
    a = json.load(open(a_path))["energy"]["components_pj"]
    b = json.load(open(b_path))["energy"]["components_pj"]
    for c in ("dram", "buffers", "decoder", "array", "leakage"):
        if (a[c] != b[c]) != (c == component):
            sys.exit(f"{c}: {a[c]} -> {b[c]} (only {component} should change)")


def compare(a_path, b_path, expr):
    a, b = json.load(open(a_path)), json.load(open(b_path))
    if not eval(expr, {}, {"a": a, "b": b}):
        sys.exit(f"does not hold: {expr}")


if __name__ == "__main__":
    {"recompute": recompute, "changed": changed, "compare": compare}[sys.argv[1]](*sys.argv[2:])
