#!/usr/bin/env bash
# End-to-end tests of `trine sweep`: a 64-point sweep gives byte-identical results with -j 2
# and -j 1; a sweep killed with SIGKILL halfway keeps whole rows and completes on rerun without
# recomputing; an impossible point is recorded as failed while the others succeed; spec errors
# are located and stop the sweep before anything runs.
# Usage: sweep.sh TRINE SOURCE_DIR
set -u
TRINE=$(realpath "$1") SRC=$(realpath "$2")
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # counters, expect, $work
cd "$work"
spec=$SRC/configs/sweeps/array-x-actbits.yaml
whole() {  # every line of a CSV has the header's number of fields; prints the data rows
  /usr/bin/python3 -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
assert all(len(r) == len(rows[0]) for r in rows), 'torn line'
print(len(rows) - 1)" "$1"
}

# -j 2 and -j 1: the same bytes.
expect 0 "64 of 64 points done" -- "$TRINE" sweep "$spec" -j 2 -o j2
expect 0 "64 of 64 points done" -- "$TRINE" sweep "$spec" -j 1 -q -o j1
cmp -s j1/results.csv j2/results.csv && cmp -s j1/results.jsonl j2/results.jsonl && ok \
  || bad "-j 1 and -j 2 results differ"
[[ $(whole j2/results.csv) == 64 && $(wc -l < j2/results.jsonl) == 64 ]] && ok || bad "not 64 rows"
[[ $(grep -c ',ok,' j2/results.csv) == 64 ]] && ok || bad "not every point succeeded"

# Rerunning a finished sweep runs nothing.
expect 0 "64 from an earlier run" -- "$TRINE" sweep "$spec" -j 2 -o j2
cmp -s j1/results.csv j2/results.csv && ok || bad "a resumed sweep changed its results"

# SIGKILL halfway: finished rows survive whole; the rerun completes the rest only.
"$TRINE" sweep "$spec" -j 2 -q -o killed & pid=$!
for _ in $(seq 400); do
  (($(ls killed/points/*.row 2> /dev/null | wc -l) >= 20)) && break
  sleep 0.02
done
kill -9 $pid; wait $pid 2> /dev/null
sleep 0.3  # the orphaned points finish on their own
n=$(whole killed/results.csv) && ok || bad "a killed sweep left a torn results.csv"
((n >= 18 && n < 64)) && ok || bad "killed sweep kept $n rows (expected about 20)"
done_before=$(ls killed/points/*.row | wc -l)
out=$("$TRINE" sweep "$spec" -j 2 -o killed 2>&1) && ok || bad "rerun after SIGKILL: $out"
[[ $out == *"$done_before from an earlier run"* ]] && ok || bad "rerun did not skip the finished points: $out"
cmp -s j1/results.csv killed/results.csv && ok || bad "resumed results differ from an uninterrupted run"

# An impossible design point fails on its own; the exit status counts the failures.
cat > bad.yaml <<'YAML'
version: 1
name: too-small
run: {batch: 1, images: 1}
axes:
  buffers.input.size: [64 B, 64 KiB]
  array.rows: [8, 16]
YAML
expect 102 "2 failed" -- "$TRINE" sweep bad.yaml -j 2 -o bad
[[ $(grep -c ',failed,' bad/results.csv) == 2 && $(grep -c ',ok,' bad/results.csv) == 2 ]] && ok \
  || bad "expected 2 failed and 2 ok rows: $(cat bad/results.csv)"
grep -q "layer 'conv1': one band of its input" bad/results.csv && ok || bad "the failure lacks its error"
grep -q '"status":"failed".*"error":"' bad/results.jsonl && ok || bad "jsonl lacks the error"

# Spec errors: located, status 2, nothing run.
printf 'version: 1\nname: x\naxes:\n  array.rowz: [8, 16]\n' > typo.yaml
expect 2 "typo.yaml:4:3: axes.array.rowz: not a design-point key" -- "$TRINE" sweep typo.yaml -o t
printf 'version: 1\nname: x\naxes:\n  array.rows: [8, 2000]\n' > range.yaml
expect 2 "range.yaml:4:19: array.rows: 2000 is out of range [1, 1024]" -- "$TRINE" sweep range.yaml -o t
printf 'version: 1\nname: x\nzip:\n  - {array.rows: [8, 16], array.cols: [8]}\n' > zip.yaml
expect 2 "zip[0].array.cols: has 1 values; the zipped axes must all have 2" -- "$TRINE" sweep zip.yaml -o t
printf 'version: 1\nname: x\naxes:\n  array.rows: [8]\nfilter: array.rows > colz\n' > filt.yaml
expect 2 "filt.yaml:5:9: filter: unknown name 'colz'" -- "$TRINE" sweep filt.yaml -o t
[[ ! -e t ]] && ok || bad "a spec error left an output folder"

# Filters and zips: buffer-x-dram keeps 11 of its 12 combinations.
expect 0 "" -- "$TRINE" sweep "$SRC/configs/sweeps/buffer-x-dram.yaml" --list
[[ $("$TRINE" sweep "$SRC/configs/sweeps/buffer-x-dram.yaml" --list | wc -l) == 11 ]] && ok \
  || bad "the filter did not drop DDR3 with 128 KiB"

# Plots and the HTML report, looked at as a person would: rendered by headless Chromium.
expect 0 "3 plots, 64 points" -- "$TRINE" report j2
for f in energy_latency energy_breakdown utilization; do
  [[ -s j2/report/$f.png && -s j2/report/$f.svg ]] && ok || bad "trine report did not write $f.png and .svg"
done
if command -v chromium > /dev/null; then
  browse() { chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1300,2400 \
    --virtual-time-budget=5000 "$@" "file://$work/j2/report/report.html" 2> /dev/null; }
  browse --dump-dom | grep -q 'data-plots-loaded="3/3"' && ok || bad "Chromium did not load the 3 plots"
  browse --screenshot="$work/shot.png" > /dev/null
  /usr/bin/python3 - "$work/shot.png" <<'PY' && ok || bad "the screenshot of the report is blank"
import sys
import matplotlib.image as img
a = img.imread(sys.argv[1])
assert a.shape[0] == 2400 and a.shape[1] == 1300, a.shape
assert a[:, :, :3].std() > 0.05  # text and plots, not an empty page
PY
else
  bad "chromium is not installed (scripts/setup --tests installs it)"
fi
expect 2 "no such file" -- "$TRINE" report nowhere

echo "sweep: $passed passed, $failed failed"
((failed == 0))
