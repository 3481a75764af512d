#!/usr/bin/env bash
# End-to-end tests of the cost model and reports: `trine run --report DIR` writes report.json
# and layers.csv; the total energy is recomputed from report.json's own counts and the input
# files; doubling one figure of a technology file changes exactly its component; design-point
# and technology changes need no rebuild; a missing figure is an input error.
# Usage: report.sh TRINE SOURCE_DIR
set -u
TRINE=$(realpath "$1") SRC=$(realpath "$2")
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # counters, expect, $work
cd "$work"
py() { /usr/bin/python3 "$SRC/tests/e2e/check_report.py" "$@"; }
json_field() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

expect 0 "energy" -- "$TRINE" run --report base
[[ -s base/report.json && -s base/layers.csv ]] && ok || bad "--report did not write both files"

# The total from the report's counts, the technology file and the resolved design point.
out=$(py recompute base/report.json "$SRC/configs/tech/40nm.yaml" 2>&1) && ok || bad "recompute: $out"

# The same network on a second design point and DRAM preset.
expect 0 "" -- "$TRINE" run --set array.rows=32 --set array.cols=8 --set dram.preset=LPDDR4-3200 \
  --report small
out=$(py recompute small/report.json "$SRC/configs/tech/40nm.yaml" 2>&1) && ok || bad "recompute small: $out"

# Doubling one figure changes exactly the component that prices it (no rebuild: the file is an
# input). tech: a path relative to the design point that names it.
mkdir -p dp
double() {  # FIGURE NEW_VALUE -> dp/FIGURE.yaml naming a copy of 40nm.yaml with it changed
  /usr/bin/python3 - "$SRC/configs/tech/40nm.yaml" "$1" "$2" > "dp/$1-tech.yaml" <<'PY'
import sys, re
text, fig, val = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
at = text.index("  " + fig + ":\n"); v = text.index("value:", at); e = text.index("\n", v)
print(text[:v] + "value: " + val + text[e:], end="")
PY
  printf 'tech: %s-tech.yaml\n' "$1" > "dp/$1.yaml"
}
for case in "bit_step_ternary 0.040@pJ array" "table_lookup 1.12@pJ decoder" \
            "io_per_bit 7.5@pJ dram" "gate_leakage_lp 0.00188@uW leakage"; do
  read -r fig val comp <<< "$case"
  double "$fig" "${val/@/ }"
  expect 0 "" -- "$TRINE" run --arch "dp/$fig.yaml" --report "$fig"
  out=$(py changed base/report.json "$fig/report.json" "$comp" 2>&1) && ok || bad "doubling $fig: $out"
done

# The SRAM table is an input too: a copy beside a technology file, its read energies doubled,
# changes only the buffers; the high-performance process leaks far more in gates and SRAM.
sed 's/^  table: sram-cacti7-40nm.csv/  table: doubled.csv/' "$SRC/configs/tech/40nm.yaml" > dp/doubled-tech.yaml
awk -F, -v OFS=, 'NR > 1 { $6 = 2 * $6 } { print }' "$SRC/configs/tech/sram-cacti7-40nm.csv" > dp/doubled.csv
printf 'tech: doubled-tech.yaml\n' > dp/doubled.yaml
expect 0 "" -- "$TRINE" run --arch dp/doubled.yaml --report doubled
out=$(py changed base/report.json doubled/report.json buffers 2>&1) && ok || bad "doubling SRAM reads: $out"
out=$(py recompute doubled/report.json dp/doubled-tech.yaml 2>&1) && ok || bad "recompute doubled: $out"
sed 's/^process: lp/process: hp/' "$SRC/configs/tech/40nm.yaml" > hp-tech.yaml
expect 0 "process hp" -- "$TRINE" run --set tech=$work/hp-tech.yaml --report hp
out=$(py recompute hp/report.json hp-tech.yaml 2>&1) && ok || bad "recompute hp: $out"
out=$(py compare base/report.json hp/report.json 'b["energy"]["components_pj"]["leakage"] > 5 * a["energy"]["components_pj"]["leakage"] and b["sram"]["buffers"][0]["cell"] == "itrs-hp"') \
  && ok || bad "the hp process does not leak more: $out"
# Power-down (DDR4-2400's IDD2P and IDD3P): the same run, less DRAM background energy, every
# term recomputed; the background splits by state and adds up.
expect 0 "power-down" -- "$TRINE" run --set dram.power_down=idle --report pd
out=$(py recompute pd/report.json "$SRC/configs/tech/40nm.yaml" 2>&1) && ok || bad "recompute pd: $out"
out=$(py compare base/report.json pd/report.json 'b["energy"]["dram_background_pj"]["total"] < 0.95 * a["energy"]["dram_background_pj"]["total"] and b["predictions"] == a["predictions"] and abs(sum(v for k, v in b["energy"]["dram_background_pj"].items() if k != "total") - b["energy"]["dram_background_pj"]["total"]) < 1e-6 * b["energy"]["dram_background_pj"]["total"] and a["energy"]["dram_background_pj"]["powerdown_active"] == 0') \
  && ok || bad "power-down did not lower the DRAM background: $out"
expect 2 "dram.power.idd2p: missing" -- "$TRINE" run --set dram.preset=LPDDR4-3200 --set dram.power_down=idle
# docs/cost.md's table of figures against their checks is the technology file's.
doc=$(sed -n '/^<!-- tech-table/,/^<!-- \/tech-table/p' "$SRC/docs/cost.md" | sed '1d;$d')
[[ -n $doc && $doc == "$("$TRINE" check --tech-table)" ]] && ok \
  || bad "docs/cost.md's figure table differs from trine check --tech-table"
expect 0 "| \`logic.multiplier_bit\` | 0.0027 pJ |" -- "$TRINE" check --tech-table "$SRC/configs/tech/40nm.yaml"
expect 2 "tech: 'x' is not one of: 40nm" -- "$TRINE" check --tech-table x
# The SRAM figures the report used, and how the table gave them.
out=$(json_field base/report.json 'd["sram"]["buffers"][0]["basis"]') 
[[ $out == "table point 16 KiB x 64 b" ]] && ok || bad "report.json sram basis: $out"

# Every dataflow and cell prices its own events: recomputed from the report, and the
# bit-parallel cell's figure changes only the array's energy.
for flow in ws os is; do
  expect 0 "" -- "$TRINE" run --set array.dataflow=$flow --set array.cell=bit-parallel --report "par-$flow"
  out=$(py recompute "par-$flow/report.json" "$SRC/configs/tech/40nm.yaml" 2>&1) && ok \
    || bad "recompute $flow bit-parallel: $out"
done
double mac_ternary "0.086 pJ"
expect 0 "" -- "$TRINE" run --arch dp/mac_ternary.yaml --set array.cell=bit-parallel --report mac_ternary
out=$(py changed par-ws/report.json mac_ternary/report.json array 2>&1) && ok || bad "doubling mac_ternary: $out"
out=$(py compare base/report.json par-ws/report.json 'b["area"]["total_mm2"] > a["area"]["total_mm2"] and b["cycles"] < a["cycles"]') \
  && ok || bad "bit-parallel cells are not larger and faster: $out"

# A design-point key changes the figures without a rebuild.
expect 0 "" -- "$TRINE" run --set buffers.weight.size=128KiB --report bigger
out=$(py compare base/report.json bigger/report.json 'b["area"]["total_mm2"] > a["area"]["total_mm2"] and b["energy"]["components_pj"]["leakage"] > a["energy"]["components_pj"]["leakage"]') \
  && ok || bad "a larger weight buffer did not raise area and leakage: $out"

# A missing figure is an error, not a zero: file and key, status 2, no report written.
/usr/bin/python3 - "$SRC/configs/tech/40nm.yaml" > dp/holed-tech.yaml <<'PY'
import sys
text = open(sys.argv[1]).read()
at = text.index("  unit:\n"); end = text.index("  lane_gates:\n")
print(text[:at] + text[end:], end="")
PY
printf 'tech: holed-tech.yaml\n' > dp/holed.yaml
expect 2 "dp/holed-tech.yaml: decoder.unit.value: missing" -- "$TRINE" run --arch dp/holed.yaml --report holed
[[ ! -e holed ]] && ok || bad "a failed run left a report behind"
printf 'tech: 4Onm\n' > dp/typo.yaml
expect 2 "dp/typo.yaml:1:7: tech: '4Onm' is not one of: 40nm" -- "$TRINE" run --arch dp/typo.yaml
expect 2 "dp/typo.yaml:1:7: tech:" -- "$TRINE" check dp/typo.yaml
expect 0 "technology '40nm'" -- "$TRINE" check dp/bit_step_ternary.yaml

# The same weights in another form: same outputs, more weight traffic when uncompressed.
expect 0 "5 layers as dense8" -- "$TRINE" convert --model "$SRC/configs/nets/default.tnet" -o dense.tnet
expect 0 "5 layers as ternary" -- "$TRINE" convert --model "$SRC/configs/nets/default.tnet" --form ternary -o tern.tnet
"$TRINE" run --model dense.tnet --report dense > /dev/null && ok || bad "run the converted network"
out=$(py compare base/report.json dense/report.json 'a["predictions"] == b["predictions"] and sum(l["dram_bytes_read"] for l in b["layers"]) > 4 * sum(l["dram_bytes_read"] for l in a["layers"])') \
  && ok || bad "dense8 conversion: $out"

# Same inputs, same bytes.
"$TRINE" run --report again > /dev/null
cmp -s base/report.json again/report.json && cmp -s base/layers.csv again/layers.csv && ok \
  || bad "two identical runs wrote different reports"

echo "report: $passed passed, $failed failed"
((failed == 0))
