#!/usr/bin/env bash
# trine net end to end (issue 25, item 1): networks of the built-in families with random weights
# of every form, calibrated, run bit-exact on the accelerator; inspect's activity columns; the
# errors of a wrong --arch or --form. Usage: net.sh TRINE
set -u
TRINE=$(realpath "$1")
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # counters, expect, $work
cd "$work"

expect 0 "usage: trine net (--arch NAME | --topology FILE.csv)" -- "$TRINE" net --help
expect 0 "mobilenetv2" -- "$TRINE" net --help
# Every form on a family small enough for the default design point, each bit-exact.
i=0
for form in dense8 ternary nk:8,2 colcomb:alpha=8,gamma=0.2 lowbit:bits=3,block=8,keep=0.25; do
  arch=(resnet20 mobilenet shiftnet mobilenetv2 vgg-small)
  a=${arch[$i]}; i=$((i + 1))
  expect 0 "calibrated in" -- "$TRINE" net --arch "$a" --width 4 --input 3x16x16 --classes 10 \
    --form "$form" --seed 3 -o "$a.tnet"
  expect 0 "bit-exact with the integer reference" -- "$TRINE" run --model "$a.tnet" --images 2 \
    --dataset synthetic:size=3x16x16
done
# ImageNet families at a reduced size: their stems, strides and dense heads.
expect 0 "MACs" -- "$TRINE" net --arch alexnet --width 4 --input 3x64x64 --form dense8 -o alex.tnet
expect 0 "bit-exact" -- "$TRINE" run --model alex.tnet --images 1 --dataset synthetic:size=3x64x64 \
  --set buffers.input.size=1MiB
# Issue 25's acceptance: ResNet-50 at 3x224x224 on the default design point (64 KiB input
# buffer: its large layers run in bands), bit-exact; report.json shows the bands and halo.
expect 0 "4.089e+09 MACs" -- "$TRINE" net --arch resnet50 --input 3x224x224 --form dense8 -o r50.tnet
expect 0 "bit-exact with the integer reference" -- "$TRINE" run --model r50.tnet --images 1 --report r50
/usr/bin/python3 - r50/report.json <<'PY' && ok || bad "resnet50: conv1 not banded in report.json"
import json, sys
layers = {l["name"]: l for l in json.load(open(sys.argv[1]))["layers"]}
c = layers["conv1"]
assert c["bands"] >= 3 and c["halo_bytes_read"] > 0, c
assert layers["add1"]["bands"] > 1 and layers["add1"]["halo_bytes_read"] == 0, layers["add1"]
PY
# A SCALE-Sim topology (item 2): independent layers, each reading its own input from DRAM and
# writing its output there, bit-exact; a GEMM topology; located errors.
cat > topo.csv <<'CSV'
Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
Conv1, 34, 34, 3, 3, 3, 16, 1,
Conv2_DP, 34, 34, 3, 3, 16, 1, 2,   # depthwise (SCALE-Sim's "DP")
Conv3, 16, 16, 1, 1, 16, 32, 1,
FC, 1, 1, 1, 1, 512, 10, 1,
CSV
expect 0 "8 layers, 6.154e+05 MACs" -- "$TRINE" net --topology topo.csv --form nk:8,2 -o topo.tnet
expect 0 "bit-exact with the integer reference" -- "$TRINE" run --model topo.tnet --images 2 --report topo
/usr/bin/python3 - topo/report.json <<'PY' && ok || bad "topology: rows not independent in report.json"
import json, sys
layers = {l["name"]: l for l in json.load(open(sys.argv[1]))["layers"]}
for name, ifmap, out in [("Conv1", 3 * 34 * 34, 16 * 32 * 32), ("Conv2_DP", 16 * 34 * 34, 16 * 16 * 16),
                         ("Conv3", 16 * 16 * 16, 32 * 16 * 16)]:
    l = layers[name]
    assert l["dram_bytes_read"] >= ifmap and l["dram_bytes_written"] == out, (name, l)
    assert layers[name + ".ifmap"]["kind"] == "input", layers[name + ".ifmap"]
PY
out=$("$TRINE" run --model topo.tnet --images 3)
[[ $out == *"3 images, "*" cycles per image"* && $out != *accuracy* ]] && ok \
  || bad "a topology run reports an accuracy: $out"
printf 'Layer, M, N, K\nQKT, 64, 32, 16\nLinear, 16, 48, 32\n' > gemm.csv
expect 0 "4 layers, 5.734e+04 MACs" -- "$TRINE" net --topology gemm.csv --form dense8 -o gemm.tnet
expect 0 "bit-exact" -- "$TRINE" run --model gemm.tnet --images 1
printf 'Layer name, IFMAP Height, Eh\n' > bad.csv
expect 2 "bad.csv:1: header: unknown column 'Eh'" -- "$TRINE" net --topology bad.csv --form dense8 -o x.tnet
printf 'Layer, M, N, K\nbig, 200000, 300, 300\n' > huge.csv
expect 2 "huge.csv has 120000000 activations" -- "$TRINE" net --topology huge.csv --form dense8 -o x.tnet
expect 2 "give the network's shape by --arch or by --topology" -- "$TRINE" net --topology topo.csv --arch lenet5 --form dense8 -o x.tnet
expect 2 "--width applies to --arch" -- "$TRINE" net --topology topo.csv --width 8 --form dense8 -o x.tnet
# The same arguments write the same bytes, whatever the threads.
"$TRINE" net --arch resnet20 --width 4 --form nk:8,2 --threads 1 -o a.tnet > /dev/null
"$TRINE" net --arch resnet20 --width 4 --form nk:8,2 --threads 2 -o b.tnet > /dev/null
cmp -s a.tnet b.tnet && ok || bad "trine net: -threads changed the bytes"
"$TRINE" net --arch resnet20 --width 4 --form nk:8,2 --seed 2 -o c.tnet > /dev/null
cmp -s a.tnet c.tnet && bad "trine net: --seed changed nothing" || ok
# inspect --activations: a zeros and a saturated column, values in range
out=$("$TRINE" inspect a.tnet --activations --images 3)
[[ $out == *"zeros  saturated"* ]] && ok || bad "inspect --activations: no columns: $out"
awk '$1 ~ /^[0-9]+$/ && $2 == "conv3" { z = $(NF-1); sub("%", "", z); exit !(z > 10 && z < 90) }' \
  <<< "$out" && ok || bad "inspect --activations: conv3's zeros out of (10, 90) %: $out"
expect 2 "trine inspect: --dataset and --images go with --activations" -- "$TRINE" inspect a.tnet --images 3
# Mistakes: one line, status 2, nothing written.
expect 2 "trine net: --arch 'vgg': expected mlp:SIZES" -- "$TRINE" net --arch vgg --form dense8 -o x.tnet
expect 2 "lambda is a training parameter" -- "$TRINE" net --arch lenet5 --form ternary:lambda=1 -o x.tnet
expect 2 "--sparsity: nk fixes its own sparsity" -- "$TRINE" net --arch lenet5 --form nk:8,2 --sparsity 0.5 -o x.tnet
expect 2 "trine net: --width applies to the built-in families" -- "$TRINE" net --arch lenet5 --width 3 --form dense8 -o x.tnet
expect 2 "window 3 is larger than its 1x1 input" -- "$TRINE" net --arch alexnet --input 3x32x32 --form dense8 -o x.tnet
expect 2 "--input must be CxHxW" -- "$TRINE" net --arch resnet20 --input 3x32 --form dense8 -o x.tnet
expect 2 "weights; trine net makes networks of at most 268435456" -- "$TRINE" net --arch resnet50 --width 512 --form dense8 -o x.tnet
expect 2 "--classes must be in [1, 100000]" -- "$TRINE" net --arch resnet20 --classes 0 --form dense8 -o x.tnet
expect 2 "--calib-images must be in [1, 10000]" -- "$TRINE" net --arch resnet20 --calib-images -3 --form dense8 -o x.tnet
[[ ! -e x.tnet ]] && ok || bad "a refused trine net wrote x.tnet"

# inspect widens its layer column to the longest name: the kind column lines up.
printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\na_rather_long_layer_name_conv_1, 8, 8, 3, 3, 4, 8, 1,\n' > long.csv
"$TRINE" net --topology long.csv --form dense8 -o long.tnet > /dev/null
"$TRINE" inspect long.tnet > long.txt
head_at=$(grep -m1 '^#  *layer' long.txt | awk '{ print index($0, "kind") }')
row_at=$(grep -m1 ' conv2d ' long.txt | awk '{ print index($0, "conv2d") }')
[[ -n $head_at && $head_at == "$row_at" ]] && ok || bad "inspect columns misaligned: $(cat long.txt)"

echo "net.sh: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
