#!/usr/bin/env bash
# trine import end to end (issue 26): ONNX models built at test time by python3-onnx (every
# operator trine imports, opsets 11 and 17, the error cases) and by PyTorch's exporter (an
# operator model with batch norm and normalization, a small CNN trained on Fashion-MNIST,
# torchvision's ResNet-18 with random weights); float agreement with PyTorch, accuracy after
# quantization, bit-exact runs. Usage: import.sh TRINE SOURCE_DIR
set -u
TRINE=$(realpath "$1")
SRC=$(realpath "$2")
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # counters, expect, $work
cd "$work"
PY=/usr/bin/python3  # Debian's, with python3-onnx and python3-torch (scripts/setup --tests)

# agree A.pred B.pred COLUMN: the fraction of images where PyTorch's prediction (A's third
# column) equals B's column COLUMN (trine import --predictions: 3 float, 4 quantized).
agree() {
  paste "$1" "$2" | awk -v col=$(($3 + 3)) '!/^#/ { n++; same += ($3 == $col) } END { print same / n }'
}
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

expect 0 "usage: trine import MODEL.onnx -o OUT.tnet" -- "$TRINE" import --help
$PY "$SRC/tests/import/onnx_models.py" models || bad "onnx_models.py failed"

# Every operator in one graph: imported, bit-exact on the accelerator.
expect 0 "16 layers from 28 ONNX nodes (opset 13)" -- "$TRINE" import models/graph.onnx \
  -o graph.tnet --calib synthetic --test-images 20
expect 0 "bit-exact with the integer reference" -- "$TRINE" run --model graph.tnet --images 2 \
  --dataset synthetic:size=1x16x16
expect 0 "kind" -- "$TRINE" inspect graph.tnet
for opset in 11 17; do
  expect 0 "(opset $opset)" -- "$TRINE" import models/opset$opset.onnx -o o$opset.tnet --calib synthetic --test-images 0
done

# Errors: one line, status 2, nothing written.
expect 2 "2 unsupported nodes: 'gate' (Sigmoid), 'squash' (Tanh) (trine imports Conv," -- \
  "$TRINE" import models/unsupported.onnx -o bad.tnet
expect 2 "the graph has no input besides its weights" -- "$TRINE" import models/no_input.onnx -o bad.tnet
expect 2 "node 'conv' (Conv): its weight 'w' is not a constant" -- \
  "$TRINE" import models/weight_input.onnx -o bad.tnet
expect 2 "the ONNX checker refuses the model: Nodes in a graph must be topologically sorted" -- \
  "$TRINE" import models/invalid.onnx -o bad.tnet
expect 2 "opset 9 of the default domain; trine imports opsets 11 to 17" -- \
  "$TRINE" import models/opset9.onnx -o bad.tnet
head -c 2000 models/graph.onnx > truncated.onnx
expect 2 "truncated.onnx: " -- "$TRINE" import truncated.onnx -o bad.tnet
expect 2 "--mean gives 2 values for a model of 1 input channels" -- \
  "$TRINE" import models/opset11.onnx -o bad.tnet --mean 0.1,0.2 --std 0.3,0.3
expect 2 "--calibration must be minmax or percentile[:P]" -- \
  "$TRINE" import models/opset11.onnx -o bad.tnet --calibration percentile:20
expect 2 "--sparsity must be in [0, 0.99]" -- \
  "$TRINE" import models/opset11.onnx -o bad.tnet --sparsity -0.5
expect 2 "--threads must be in [0, 256]" -- "$TRINE" import models/opset11.onnx -o bad.tnet --threads -3
expect 2 "--images must be in [1, 100000]" -- "$TRINE" import models/opset11.onnx -o bad.tnet --images 0
[[ ! -e bad.tnet ]] && ok || bad "a refused import wrote bad.tnet"

# PyTorch's exporter: the operator model (batch norm kept as a node, Pad before AveragePool,
# MatMul + Add) evaluated in float by trine agrees with PyTorch image by image.
$PY "$SRC/tests/import/torch_models.py" ops ops.onnx --images 500 2>/dev/null || bad "ops export failed"
expect 0 "accuracy on 500 test images" -- "$TRINE" import ops.onnx -o ops.tnet --test-images 500 \
  --mean 0.5,0.4,0.3 --std 0.25,0.2,0.3 --predictions ops.trine
float=$(agree ops.pred ops.trine 3) quant=$(agree ops.pred ops.trine 4)
at_least "$float" 0.998 && ok || bad "ops: trine's float model agrees with PyTorch on $float"
at_least "$quant" 0.9 && ok || bad "ops: the quantized network agrees with PyTorch on $quant"
expect 0 "bit-exact" -- "$TRINE" run --model ops.tnet --images 2

# A small CNN trained in PyTorch: 8-bit per-channel quantization within 1 point of PyTorch's
# float accuracy on the whole Fashion-MNIST test set; bit-exact on the accelerator.
$PY "$SRC/tests/import/torch_models.py" cnn cnn.onnx --epochs 1 --images 10000 2>/dev/null ||
  bad "cnn training failed"
"$TRINE" import cnn.onnx -o cnn.tnet --predictions cnn.trine > cnn.txt || bad "cnn import failed"
torch_acc=$(head -1 cnn.pred | awk '{ print $3 }')
read -r trine_float trine_quant < <(sed -n 's/.*float \([0-9.]*\)%, trine dense8 \([0-9.]*\)%.*/\1 \2/p' cnn.txt)
awk -v t="$torch_acc" -v f="$trine_float" -v q="$trine_quant" \
  'BEGIN { d = f - t; e = q - t; exit !(d * d < 0.01 && e > -1.0) }' && ok ||
  bad "cnn: PyTorch $torch_acc %, trine float $trine_float %, quantized $trine_quant %"
expect 0 "bit-exact" -- "$TRINE" run --model cnn.tnet --images 8
# The same CNN quantized by PyTorch (QDQ form, per-channel int8 weights): imported with its
# own codes and scales, trine's integer network agrees with PyTorch's int8 one image by image.
"$TRINE" import cnn-qdq.onnx -o qdq.tnet --predictions qdq.trine > qdq.txt || bad "qdq import failed"
grep -q "QDQ scales: 5 of 8 kept as the model gives them" qdq.txt && ok || bad "qdq: $(cat qdq.txt)"
grep -q "accuracy on 10000 test images: QDQ model" qdq.txt && ok || bad "qdq: $(cat qdq.txt)"
quant=$(agree cnn-qdq.pred qdq.trine 4)
at_least "$quant" 0.99 && ok || bad "qdq: trine agrees with PyTorch's int8 network on $quant"
expect 0 "bit-exact" -- "$TRINE" run --model qdq.tnet --images 8
# Compression after import (no retraining): every form bit-exact, its accuracy beside 8-bit's.
for method in nk:8,2 ternary colcomb:alpha=8,gamma=0.2 lowbit:bits=3,block=8,keep=0.5; do
  expect 0 ", trine 8-bit " -- "$TRINE" import cnn.onnx -o m.tnet --method "$method" --test-images 200
  expect 0 "bit-exact with the integer reference" -- "$TRINE" run --model m.tnet --images 2
done
expect 2 "--method 'nk:8,2,r=0.2': r is a training parameter; trine import projects" -- \
  "$TRINE" import cnn.onnx -o bad.tnet --method nk:8,2,r=0.2

# torchvision's ResNet-18 (random weights, 3x64x64): imports, simulates bit-exact on the default
# design point; the quantized predictions' agreement with PyTorch's float ones (docs/import.md
# gives the measured figure).
$PY "$SRC/tests/import/torch_models.py" resnet18 r18.onnx --images 100 2>/dev/null ||
  bad "resnet18 export failed"
expect 0 "31 layers from" -- "$TRINE" import r18.onnx -o r18.tnet --images 100 --test-images 100 \
  --predictions r18.trine
float=$(agree r18.pred r18.trine 3) quant=$(agree r18.pred r18.trine 4)
at_least "$float" 0.99 && ok || bad "resnet18: trine's float model agrees with PyTorch on $float"
at_least "$quant" 0.7 && ok || bad "resnet18: the quantized network agrees with PyTorch on $quant"
expect 0 "bit-exact with the integer reference" -- "$TRINE" run --model r18.tnet --images 1

echo "import.sh: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
