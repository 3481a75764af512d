#!/usr/bin/env bash
# `trine train` end to end: it hands over to trine-train, writes a .tnet that `trine infer`
# evaluates to the summary's integer accuracy, writes the same bytes twice with one thread, and
# rejects bad input with one line and status 2, leaving no file behind. Usage: train.sh TRINE
set -u
TRINE=$(realpath "$1")
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # counters, expect, $work
cd "$work"

data=synthetic:seed=5,size=10,train=1500,test=500
train=("$TRINE" train --net mlp:100-32-10 --dataset "$data" --epochs 2 -j 1)
expect 0 "integer" -- "${train[@]}" --method nk:4,1 -o a.tnet --summary a.json
expect 0 "" -- "${train[@]}" --method nk:4,1 -o b.tnet --quiet
cmp -s a.tnet b.tnet && ok || bad "same command, one thread: the .tnet files differ"
# a stored float baseline is reused (no float epochs) and changes no byte of the result
expect 0 "" -- "${train[@]}" --method nk:4,1 -o c1.tnet --baseline base.pt
out=$("${train[@]}" --method nk:4,1 -o c2.tnet --baseline base.pt 2>&1)
[[ $out != *"float      epoch"* ]] && ok || bad "the stored baseline was not reused: $out"
cmp -s a.tnet c1.tnet && cmp -s a.tnet c2.tnet && ok || bad "a reused baseline changed the .tnet"
expect 2 "base.pt: baseline was trained for" -- "$TRINE" train --net mlp:100-16-10 \
  --dataset "$data" --epochs 2 -o c3.tnet --baseline base.pt
integer=$(/usr/bin/python3 -c 'import json,sys; print("%.4f" % json.load(open("a.json"))["accuracy"]["integer"])')
expect 0 "accuracy: $integer" -- "$TRINE" infer --model a.tnet --dataset "$data"
for key in '"bits_per_weight"' '"ratio_vs_fp32"' '"ratio_vs_binary"' '"ratio_vs_dense_ternary"' \
           '"float"' '"agreement"' '"sparsity"' '"bytes"'; do
  grep -q "$key" a.json && ok || bad "summary lacks $key"
done
expect 0 "method: nk:n=4,k=1" -- "$TRINE" inspect a.tnet

# errors: one line, status 2, nothing written
expect 2 "-o OUT.tnet is required" -- "${train[@]}"
rm -f c*.tnet
expect 2 "unknown method 'sparse'" -- "${train[@]}" --method sparse -o c.tnet
expect 2 "the first size must be the image size 100 (10x10)" -- \
  "$TRINE" train --net mlp:784-10 --dataset "$data" -o c.tnet
expect 2 "missing: expected train-images-idx3-ubyte" -- \
  "$TRINE" train --dataset idx:/nonexistent -o c.tnet
expect 2 "dataset 'synthetic:size=2'" -- "$TRINE" train --dataset synthetic:size=2 -o c.tnet
expect 2 "unrecognised option '--epoch'" -- "$TRINE" train --epoch 3 -o c.tnet
[[ ! -e c.tnet ]] && ok || bad "a failed run left c.tnet behind"
expect 0 "ternary:" -- "$TRINE" train --method help

# Colour images, and a network whose last pool is 1x1 in space before its dense layer (LeNet-5
# on 12x12 images: it crashed LibTorch); the result runs bit-exact (issue 23).
colour=synthetic:seed=6,size=3x12x12,train=400,test=100
expect 0 "integer" -- "$TRINE" train --net lenet5 --dataset "$colour" --epochs 1 -j 1 \
  --method nk:4,1 -o rgb.tnet
expect 0 "bit-exact" -- "$TRINE" run --model rgb.tnet --dataset "$colour" --images 4

# Network families: grey 12x12 images fitted to a 3x16x16 ResNet-20 (batch norm folded), its
# graph run bit-exact on the accelerator; a ShiftNet with column combining too.
grey=synthetic:seed=7,size=12,train=300,test=100
expect 0 "agreement 1.0000" -- "$TRINE" train --net resnet20:width=4,input=3x16x16 \
  --dataset "$grey" --epochs 1 -j 1 --method dense8 -o res.tnet
expect 0 "add" -- "$TRINE" inspect res.tnet
expect 0 "bit-exact" -- "$TRINE" run --model res.tnet --dataset "$grey" --images 2
expect 0 "integer" -- "$TRINE" train --net shiftnet:width=4,input=3x16x16 --dataset "$grey" \
  --epochs 1 -j 1 --method colcomb:alpha=4,rounds=1 -o shift.tnet
expect 0 "bit-exact" -- "$TRINE" run --model shift.tnet --dataset "$grey" --images 2 \
  --set array.model=cycle
expect 2 "unknown parameter 'depth' (width, input)" -- "$TRINE" train --net resnet20:depth=3 \
  --dataset "$grey" -o x.tnet
expect 0 "resnet20" -- "$TRINE" train --help

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
