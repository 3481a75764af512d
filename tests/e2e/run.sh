#!/usr/bin/env bash
# End-to-end tests of `trine run`: the accelerator with DRAM in the loop runs networks of every
# weight form bit-exact against the integer reference, on two array sizes and two DRAM presets;
# bad design points and unmappable layers stop it before it simulates; memory-bound layers
# feel the DRAM bandwidth and compute-bound layers do not.
# Usage: run.sh TRINE NETGEN SOURCE_DIR
set -u
TRINE=$(realpath "$1") NETGEN=$(realpath "$2") SRC=$(realpath "$3")
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # counters, expect, $work
cd "$work"
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# No arguments: the embedded design point and default network.
expect 0 "bit-exact with the integer reference" -- "$TRINE" run
"$TRINE" run --json > default.json && ok || bad "run --json"
[[ $(json default.json 'd["bit_exact"] and d["cycles"] > 0 and len(d["layers"]) > 0') == True ]] \
  && ok || bad "run --json lacks results"

# Bad design points: one located error, status 2, no table.
printf 'array:\n  rows: 0\n' > bad.yaml
printf 'array:\n  rowz: 8\n' > typo.yaml
expect 2 "bad.yaml:2:9: array.rows: 0 is out of range [1, 1024]" -- "$TRINE" run --arch bad.yaml
expect 2 "typo.yaml:2:3: array.rowz: unknown key (did you mean 'rows'?)" -- "$TRINE" run --arch typo.yaml
out=$("$TRINE" run --arch bad.yaml 2>&1)
[[ $out != *cycles* ]] && ok || bad "a bad design point still simulated: $out"
# Every weight form, conv and dense, two array sizes, two DRAM presets: bit-exact, and the
# cycle model agrees with the fast one.
"$NETGEN" dataset --count 3 --height 12 --width 12 --seed 4 -o data12 || bad "netgen dataset"
"$NETGEN" dataset --count 3 --height 1 --width 64 --seed 4 -o data64 || bad "netgen dataset"
for form in dense8 ternary nk colcomb lowbit; do
  "$NETGEN" example --form $form --arch cnn --seed 3 -o cnn-$form.tnet || bad "netgen $form"
  "$NETGEN" example --form $form --arch mlp --seed 3 -o mlp-$form.tnet || bad "netgen $form"
  for shape in "8 8" "16 32"; do
    set -- $shape
    for preset in DDR4-2400 LPDDR4-3200; do
      args=(--set array.rows=$1 --set array.cols=$2 --set dram.preset=$preset)
      expect 0 "bit-exact" -- "$TRINE" run --model cnn-$form.tnet --dataset idx:data12 --images 3 "${args[@]}"
      expect 0 "bit-exact" -- "$TRINE" run --model mlp-$form.tnet --dataset idx:data64 "${args[@]}"
    done
  done
  "$TRINE" run --model cnn-$form.tnet --dataset idx:data12 --json > fast.json
  "$TRINE" run --model cnn-$form.tnet --dataset idx:data12 --json --set array.model=cycle > cycle.json
  [[ $(json fast.json 'd["cycles"]') == $(json cycle.json 'd["cycles"]') ]] && ok || bad "cycle != fast for $form"
  [[ $(json fast.json 'd["energy"]') == $(json cycle.json 'd["energy"]') ]] && ok || bad "cycle and fast count different events for $form"
  "$TRINE" run --model cnn-$form.tnet --dataset idx:data12 --json > again.json
  cmp -s fast.json again.json && ok || bad "two runs of $form differ"
done

# The cycle model dumps the array's signals as a VCD: nested scopes, one variable per row and
# column signal, increasing times, and one computing_tile value per tile the run computed.
expect 2 "--vcd needs array.model=cycle" -- "$TRINE" run --model cnn-nk.tnet --dataset idx:data12 --vcd a.vcd
"$TRINE" run --model cnn-nk.tnet --dataset idx:data12 --set array.model=cycle --vcd a.vcd --json > vcd.json \
  && ok || bad "run --vcd"
/usr/bin/python3 - a.vcd vcd.json <<'PY' && ok || bad "the VCD is malformed or misses tiles"
import json, re, sys
text = open(sys.argv[1]).read()
run = json.load(open(sys.argv[2]))
head, body = text.split("$enddefinitions $end\n")
rows, cols = 16, 16
assert len(re.findall(r"\$var wire ", head)) == 3 + rows + 2 * cols, "variables"
assert head.count("$scope") == head.count("$upscope") == 4, "scopes"
code = re.search(r"\$var wire 32 (\S+) computing_tile", head).group(1)
times = [int(t) for t in re.findall(r"^#(\d+)$", body, re.M)]
assert times == sorted(times) and len(set(times)) == len(times), "times"
tiles = re.findall(r"^b([01]+) " + re.escape(code) + "$", body, re.M)
want = sum(l["tiles"] for l in run["layers"])
assert [int(t, 2) for t in tiles] == list(range(want)), (tiles, want)  # 0: the initial value
PY

# 8-bit weights do not fit the ternary form: the layer is named and nothing is written.
expect 2 "cnn-dense8.tnet: layer 'conv1'" -- "$TRINE" convert --model cnn-dense8.tnet --form ternary -o never.tnet
[[ ! -e never.tnet ]] && ok || bad "a failed convert wrote its output"

# A layer that cannot be mapped names itself and the limit.
m=(--model cnn-dense8.tnet --dataset idx:data12)
expect 2 "layer 'fc1': double-buffered weight tiles need 2 x 256 bytes; buffers.weight.size is 256 bytes" \
  -- "$TRINE" run "${m[@]}" --set "buffers.weight.size=256 B"
expect 2 "--set array.act_bits=6: array.act_bits: cnn-dense8.tnet: layer 'conv1': its inputs have 8 bits; array.act_bits is 6 (set array.act_bits to 8 or more, or retrain with --act-bits 6)" -- "$TRINE" run "${m[@]}" --set array.act_bits=6
expect 2 "layer 'conv1': one band of its input (one row of output) needs 140 bytes; buffers.input.size is 64 bytes" \
  -- "$TRINE" run --set "buffers.input.size=64 B"
# Input banding (issue 25): a smaller input buffer than conv1's input runs it in bands,
# bit-exact, re-reading the halo rows (report.json counts them).
# Banks this small are below every SRAM macro: priced by a test table that has them.
expect 2 "buffers.input: a bank of 32 B (4 banks) with 64-bit words, 1 port, is outside the SRAM table <embedded>/configs/tech/sram-cacti7-40nm.csv (1 KiB to 4 MiB per bank" \
  -- "$TRINE" run "${m[@]}" --set "buffers.input.size=128 B"
tiny_sram_tech "$SRC" "$work"
tiny=(--set "tech=$work/tiny-tech.yaml")
expect 0 "bit-exact" -- "$TRINE" run "${m[@]}" --set "buffers.input.size=128 B" "${tiny[@]}" --report banded
/usr/bin/python3 - banded/report.json <<'PY' && ok || bad "banded conv1: bands or halo missing in report.json"
import json, sys
layers = {l["name"]: l for l in json.load(open(sys.argv[1]))["layers"]}
c = layers["conv1"]
assert c["bands"] > 1 and c["halo_bytes_read"] > 0, c
assert c["dram_bytes_read"] >= 144 + c["halo_bytes_read"], c
PY

# A batch streams several images through the same weights: bit-exact, the dense layers fetch
# their weights once per batch and keep the array busier.
expect 0 "bit-exact" -- "$TRINE" run --batch 4 --images 8
expect 2 "--images must be a positive multiple of --batch (4)" -- "$TRINE" run --batch 4 --images 6
"$TRINE" run --json > b1.json && "$TRINE" run --batch 4 --json > b4.json || bad "run --batch --json"
fc1() { json "$1" '[l for l in d["layers"] if l["name"] == "fc1"][0]["'"$2"'"]'; }
[[ $(fc1 b1.json dram_bytes_read) == $(fc1 b4.json dram_bytes_read) ]] && ok || bad "fc1 weights fetched per image"
/usr/bin/python3 -c "import sys; sys.exit(not float(sys.argv[1]) > 2 * float(sys.argv[2]))" \
  "$(fc1 b4.json utilization)" "$(fc1 b1.json utilization)" && ok || bad "batch 4 did not raise fc1 utilization"
[[ $(json b4.json 'len(d["predictions"])') == 4 ]] && ok || bad "batch 4 has not 4 predictions"

# DRAM bandwidth: a weight-heavy dense layer on a 64x64 array at 1 GHz is memory-bound; half the
# bus width raises its stalls. A convolution whose inputs are on chip and whose weights were
# prefetched is compute-bound and does not change.
"$NETGEN" dataset --count 1 --height 1 --width 2048 --seed 4 -o data2k || bad "netgen dataset"
"$NETGEN" example --form dense8 --arch mlp --seed 3 --height 1 --width 2048 -o wide.tnet || bad "netgen wide"
fast=(--set array.rows=64 --set array.cols=64 --set "clock.frequency=1 GHz")
"$TRINE" run --model wide.tnet --dataset idx:data2k "${fast[@]}" --json > full.json
"$TRINE" run --model wide.tnet --dataset idx:data2k "${fast[@]}" --set dram.org.bus_width=32 --json > half.json
s_full=$(json full.json '[l for l in d["layers"] if l["name"] == "fc1"][0]["stall_cycles"]')
s_half=$(json half.json '[l for l in d["layers"] if l["name"] == "fc1"][0]["stall_cycles"]')
((s_half > 2 * s_full && s_full > 0)) && ok || bad "fc1 stalls $s_full -> $s_half with half the bandwidth"
"$TRINE" run --model cnn-dense8.tnet --dataset idx:data12 --json > full.json
"$TRINE" run --model cnn-dense8.tnet --dataset idx:data12 --set dram.org.bus_width=32 --json > half.json
c_full=$(json full.json '[(l["cycles"], l["stall_cycles"]) for l in d["layers"] if l["name"] == "conv2"][0]')
c_half=$(json half.json '[(l["cycles"], l["stall_cycles"]) for l in d["layers"] if l["name"] == "conv2"][0]')
[[ $c_full == "$c_half" && $c_full == *", 0)" ]] && ok || bad "conv2 changed with the bandwidth: $c_full -> $c_half"

# Colour networks (issue 23, item 5): CIFAR-10's binary records as they are, and grey images
# centred, zero-padded and repeated into three channels; both bit-exact.
"$NETGEN" example --form nk --arch cnn --channels 3 --height 32 --width 32 --seed 5 -o rgb.tnet \
  || bad "netgen rgb"
mkdir cifar
/usr/bin/python3 -c "
import random
random.seed(7)
with open('cifar/test_batch.bin', 'wb') as f:
    for i in range(6):
        f.write(bytes([i % 10]) + bytes(random.randrange(256) for _ in range(3072)))"
expect 0 "accuracy" -- "$TRINE" run --model rgb.tnet --dataset cifar10:cifar --images 6
expect 0 "/6)" -- "$TRINE" infer --model rgb.tnet --dataset cifar10:cifar
expect 0 "bit-exact" -- "$TRINE" run --model rgb.tnet --images 2   # Fashion-MNIST, 1x28x28
expect 2 "takes 1x12x12 images; the data set's are 1x28x28 (smaller images are centred" -- \
  "$TRINE" run --model cnn-dense8.tnet

# Resident weights (issue 24, item 3): loaded once before the first inference and reported
# apart; the inferences read no weights from DRAM; a buffer too small is refused.
expect 0 "preload      resident weights, 7736 bytes from DRAM once" -- \
  "$TRINE" run --set buffers.weight.residency=resident --report resident
/usr/bin/python3 - resident/report.json <<'PY' && ok || bad "resident report"
import json, sys
r = json.load(open(sys.argv[1]))
p = r["weight_preload"]
assert p["dram_bytes_read"] == 7736 and p["cycles"] > 0 and p["energy_pj"] > 0, p
fc1 = [l for l in r["layers"] if l["name"] == "fc1"][0]
assert fc1["dram_bytes_read"] == 0 and fc1["stall_cycles"] == 0, fc1
PY
"$TRINE" run --report streamed >/dev/null
/usr/bin/python3 -c "
import json; r = json.load(open('streamed/report.json')); assert 'weight_preload' not in r" \
  && ok || bad "a streamed run reports a preload"
expect 2 "its weights need 7736 bytes on chip" -- \
  "$TRINE" run --set buffers.weight.residency=resident --set buffers.weight.size=4KiB

# Weight tiles fetched ahead as far as the buffer allows hide DRAM refreshes behind the array:
# the same outputs, fewer stall cycles, no more cycles.
"$TRINE" run --json > prefetch2.json && "$TRINE" run --set buffers.weight.prefetch_tiles=0 --json \
  > prefetch0.json && /usr/bin/python3 - prefetch2.json prefetch0.json <<'PY' && ok || bad "prefetch_tiles=0"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
stall = lambda r: sum(l["stall_cycles"] for l in r["layers"])
assert a["predictions"] == b["predictions"], "outputs changed"
assert b["cycles"] <= a["cycles"] and stall(b) < stall(a), (a["cycles"], b["cycles"], stall(a), stall(b))
PY

# A logic decoder has no table: the default (N,k) network's codes are decoded units, not lookups.
"$TRINE" run --set decoder.kind=logic --json > logic.json && /usr/bin/python3 - logic.json <<'PY' \
  && ok || bad "decoder.kind=logic still looks codes up"
import json, sys
r = json.load(open(sys.argv[1]))
assert all(e["count"] == 0 for e in r["events"] if e["event"] == "decoder.table_lookup"), r["events"]
assert any(e["count"] > 0 for e in r["events"] if e["event"] == "decoder.unit")
PY

# Every accepted choice of every key changes what is simulated (issue 24): the schema's
# choices, walked from `trine check --keys`, each run against the default on a ResNet-20
# (width 8, random weights: a DRAM footprint large enough for every mapping to differ). The
# report must differ beyond the echo of the design point; array.model alone must not (its
# models agree by contract: the property tests), only name itself.
"$NETGEN" example --form dense8 --arch resnet20:width=8,input=3x32x32 -o r8.tnet || bad "netgen r8"
walk() { "$TRINE" run --model r8.tnet --set buffers.weight.size=128KiB "$@" --json; }
walk > choice-default.json || bad "default run for the choice walk"
while IFS=$'\t' read -r key type _; do
  [[ $type == *"|"* ]] || continue
  IFS='|' read -ra options <<< "$type"
  for option in "${options[@]}"; do
    walk --set "$key=$option" > choice.json || { bad "$key=$option did not run"; continue; }
    /usr/bin/python3 - choice-default.json choice.json "$key" <<'PY' && ok || bad "$key=$option"
import json, sys
a, b, key = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
echo = {"resolved_design_point", "design_point", "design_file"}
a_rest = {k: v for k, v in a.items() if k not in echo}
b_rest = {k: v for k, v in b.items() if k not in echo}
if a["resolved_design_point"] == b["resolved_design_point"]:
    sys.exit(0)  # the default value itself
if key == "array.model":
    a_rest.pop("array_model"), b_rest.pop("array_model")
    sys.exit(0 if a_rest == b_rest else f"{key}: the models disagree")
sys.exit(0 if a_rest != b_rest else f"{key}: the report did not change")
PY
  done
done < <("$TRINE" check --keys)
echo "run.sh: $passed passed, $failed failed"
((failed == 0))
