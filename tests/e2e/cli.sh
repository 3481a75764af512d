#!/usr/bin/env bash
# End-to-end tests through the command line: exit statuses, exact error lines, every weight form
# through check/inspect/infer. Usage: cli.sh TRINE NETGEN SOURCE_DIR
set -u
TRINE=$(realpath "$1") NETGEN=$(realpath "$2") SRC=$(realpath "$3")
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # counters, expect, $work

# version, help, commands without their required arguments
expect 0 "trine 0." -- "$TRINE" --version
expect 0 "commands:" -- "$TRINE" --help
expect 2 "unknown command 'frobnicate'" -- "$TRINE" frobnicate
expect 2 "trine report: name a sweep's output folder: trine report DIR" -- "$TRINE" report
expect 2 "trine sweep: name a sweep spec" -- "$TRINE" sweep
expect 2 "unrecognised option '--bogus'" -- "$TRINE" check --bogus

# design points: every shipped one is valid; each error class is one located line, status 2
for f in "$SRC"/configs/arch/*.yaml; do expect 0 ": ok" -- "$TRINE" check "$f"; done
cd "$work"
printf 'array:\n  rows: 16\n  colz: 8\n' > unknown.yaml
printf 'array:\n  rows: many\n' > type.yaml
printf 'buffers:\n  input:\n    banks: 0\n' > range.yaml
printf 'array:\n  rows: 32\n' > good.yaml
expect 2 "unknown.yaml:3:3: array.colz: unknown key (did you mean 'cols'?)" -- "$TRINE" check unknown.yaml
expect 2 "type.yaml:2:9: array.rows: expected an integer, got 'many'" -- "$TRINE" check type.yaml
expect 2 "range.yaml:3:12: buffers.input.banks: 0 is out of range [1, 256]" -- "$TRINE" check range.yaml
expect 2 "missing.yaml: cannot open the design point (No such file or directory)" -- "$TRINE" check missing.yaml
expect 0 "good.yaml: ok" -- "$TRINE" check good.yaml
lines=$("$TRINE" check unknown.yaml 2>&1 | wc -l)
[[ $lines -eq 1 ]] && ok || bad "an error should be one line, got $lines"
# --resolved: every default filled in, units explicit, and it loads back unchanged
"$TRINE" check --resolved good.yaml > resolved.yaml && ok || bad "check --resolved"
grep -q "rows: 32" resolved.yaml && grep -q "size: 64 KiB" resolved.yaml && grep -q "tRCD: 17" resolved.yaml \
  && ok || bad "resolved output lacks keys"
"$TRINE" check --resolved resolved.yaml > again.yaml && cmp -s resolved.yaml again.yaml \
  && ok || bad "resolved design point does not load back to itself"
expect 0 "rows: 48" -- "$TRINE" check --resolved --set array.rows=48 good.yaml
expect 2 "--set array.rows=0: array.rows: 0 is out of range [1, 1024]" -- "$TRINE" check --set array.rows=0 good.yaml

# docs/config.md lists every key the schema declares
while IFS=$'\t' read -r key _; do
  grep -qF "| \`$key\` |" "$SRC/docs/config.md" && ok || bad "docs/config.md lacks key $key"
done < <("$TRINE" check --keys)

# networks in every weight form: check, inspect, infer on a synthetic IDX set
"$NETGEN" dataset --count 50 --height 12 --width 12 --seed 4 -o data12 || bad "netgen dataset"
"$NETGEN" dataset --count 50 --height 1 --width 64 --seed 4 -o data64 || bad "netgen dataset"
for form in dense8 ternary nk colcomb lowbit; do
  "$NETGEN" example --form $form --arch cnn --seed 3 -o cnn-$form.tnet || bad "netgen $form"
  "$NETGEN" example --form $form --arch mlp --seed 3 -o mlp-$form.tnet || bad "netgen $form"
  expect 0 "cnn-$form.tnet: ok" -- "$TRINE" check cnn-$form.tnet
  expect 0 " $form " -- "$TRINE" inspect --model cnn-$form.tnet
  expect 0 "accuracy: " -- "$TRINE" infer --model cnn-$form.tnet --dataset idx:data12
  expect 0 "/50)" -- "$TRINE" infer --model mlp-$form.tnet --dataset idx:data64 --split train --limit 50 --threads 1 --predictions
  a=$("$TRINE" infer --model cnn-$form.tnet --dataset idx:data12 --predictions -j 1)
  b=$("$TRINE" infer --model cnn-$form.tnet --dataset idx:data12 --predictions -j 2)
  [[ "$a" == "$b" ]] && ok || bad "infer output depends on -j for $form"
done
expect 0 "N=8,k=2,P=129" -- "$TRINE" inspect --model mlp-nk.tnet
expect 0 "1.000" -- "$TRINE" inspect mlp-nk.tnet   # (8,2): 8-bit codes for 8 weights

# broken model files: one clear error, status 2
head -c 100 cnn-nk.tnet > trunc.tnet
expect 2 "trunc.tnet: truncated: 100 bytes, the header says" -- "$TRINE" inspect --model trunc.tnet
expect 2 "trunc.tnet: truncated" -- "$TRINE" check trunc.tnet
cp cnn-nk.tnet flip.tnet
area=$(od -An -t u8 -j 48 -N 8 flip.tnet | tr -d ' ')   # payload area offset (docs/tnet.md)
printf '\xff' | dd of=flip.tnet bs=1 seek=$((area + 5)) conv=notrunc status=none
expect 2 "payload 'conv1.weights' checksum mismatch" -- "$TRINE" infer --model flip.tnet --dataset idx:data12
cp cnn-nk.tnet pad.tnet
size=$(stat -c %s pad.tnet)
printf '\x01' | dd of=pad.tnet bs=1 seek=$((size - 1)) conv=notrunc status=none
expect 2 "non-zero padding byte at offset $((size - 1))" -- "$TRINE" check pad.tnet
expect 2 "network 'example-cnn-nk' takes 1x12x12 images; the data set's are 1x1x64" -- \
  "$TRINE" infer --model cnn-nk.tnet --dataset idx:data64
expect 2 "nodata/t10k-images-idx3-ubyte: missing" -- "$TRINE" infer --model cnn-nk.tnet --dataset idx:nodata

# Graph networks (format 1.1): inspect shows each layer's inputs, infer runs them on the
# reference model (bit for bit the same for any -j), run refuses them by name.
"$NETGEN" example --form nk --arch graph --seed 2 -o graph.tnet || bad "netgen graph"
"$NETGEN" dataset --count 40 --height 8 --width 8 --seed 4 -o data8 || bad "netgen dataset"
expect 0 "    <- conv1, conv2" -- "$TRINE" inspect graph.tnet
expect 0 "    <- add, side" -- "$TRINE" inspect graph.tnet
expect 0 "globalavgpool" -- "$TRINE" inspect graph.tnet
a=$("$TRINE" infer --model graph.tnet --dataset idx:data8 --predictions -j 1)
b=$("$TRINE" infer --model graph.tnet --dataset idx:data8 --predictions -j 2)
[[ $a == *"accuracy: "* && "$a" == "$b" ]] && ok || bad "infer on a graph: $a"
# The accelerator runs the graph bit-exact on both array models; with a 512-byte input buffer,
# add's output no longer fits beside its inputs: written to DRAM and read back by concat (its
# 128 B banks priced by a test SRAM table: lib.sh).
tiny_sram_tech "$SRC" "$work"
expect 0 "bit-exact with the integer reference; 4 images" -- \
  "$TRINE" run --model graph.tnet --dataset idx:data8 --images 4
expect 0 "globalavgpool" -- "$TRINE" run --model graph.tnet --dataset idx:data8 --images 1
expect 0 "bit-exact with the integer reference; 3 images" -- \
  "$TRINE" run --model graph.tnet --dataset idx:data8 --images 3 --set array.model=cycle \
  --set buffers.input.size=512 --set "tech=$work/tiny-tech.yaml" --report spill
csv_field() { awk -F, -v l="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
  $1 == l { print $col[c] }' "$1"; }
[[ $(csv_field spill/layers.csv add dram_bytes_written) == 256 &&
   $(csv_field spill/layers.csv cat dram_bytes_read) == 256 &&
   $(csv_field spill/layers.csv conv2 dram_bytes_written) == 0 ]] && ok ||
  bad "spilled graph tensors: $(cat spill/layers.csv)"
expect 0 "graph.tnet: ok" -- "$TRINE" check graph.tnet
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
