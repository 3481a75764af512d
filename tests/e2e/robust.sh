#!/usr/bin/env bash
# End-to-end tests of hostile and mistaken input through the command line (issue 22; the item
# numbers are the issue's): each gets one located error and status 2, in bounded time and
# memory, and nothing is half-written; long runs show progress on a terminal and stop cleanly
# on Ctrl-C. The readers' own cases are unit tests (tests/unit/test_robust.cpp, test_idx.cpp,
# the trace tests in tests/systemc/test_dram.cpp).
# Usage: robust.sh TRINE NETGEN SOURCE_DIR
set -u
TRINE=$(realpath "$1") NETGEN=$(realpath "$2") SRC=$(realpath "$3")
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # counters, expect, $work
cd "$work"
# Every command here must end within 20 s and 2 GiB, whatever the input.
bounded() { (ulimit -v 2097152; timeout 20 "$@"); }
expect_bounded() {
  local rc=$1 text=$2; shift 3
  expect "$rc" "$text" -- bounded "$@"
}

# 6, 8, 9: the DRAM model neither allocates an endless pattern nor livelocks nor idles for days.
expect_bounded 2 "--bytes 1000000000000000: the largest pattern is 268435456 bytes" -- \
  "$TRINE" dram --pattern sequential --bytes 1000000000000000
expect_bounded 2 "dram.timing.tRCD: leaves no access between refreshes" -- \
  "$TRINE" dram --pattern sequential --bytes 4096 --set dram.timing.tRCD=9360 --check --log cmd.log
[[ ! -e cmd.log ]] && ok || bad "a refused run wrote its command log"
expect_bounded 2 "dram.timing.tREFI: leaves no access between refreshes" -- \
  "$TRINE" run --set dram.timing.tREFI=2 --set dram.timing.tRFC=1
printf '4611686018427387904: read 0x0\n' > far.stl
expect_bounded 2 "far.stl:1:1: trace: cycle 4611686018427387904 is past the last simulated cycle" -- \
  "$TRINE" dram --preset DDR4-2400 --trace far.stl
# 7: a long CAS latency inside the documented range is simulated, bit-exact.
expect_bounded 0 "bit-exact" -- "$TRINE" run --set dram.timing.tCL=1000000 --set dram.timing.tREFI=100000000
# 13: the last byte of an 8 GiB DDR4 is an address like any other.
printf '0: read 0x1ffffffff\n' > last.stl
expect_bounded 0 "requests    1 (1 reads, 0 writes)" -- "$TRINE" dram --preset DDR4-2400 --trace last.stl

# 10: inputs are regular files of bounded size; a folder is not a design point.
expect_bounded 2 "/dev/zero: is a device, a pipe or a socket, not a regular file" -- "$TRINE" check /dev/zero
expect_bounded 2 "/dev/null: is a device, a pipe or a socket, not a regular file" -- "$TRINE" check /dev/null
expect_bounded 2 "/tmp: is a folder, not a file" -- "$TRINE" check /tmp
expect_bounded 2 "/tmp: is a folder, not a file" -- "$TRINE" run --arch /tmp
expect_bounded 2 "/dev/zero: is a device" -- "$TRINE" run --arch /dev/zero
expect_bounded 2 "/dev/zero: is a device" -- "$TRINE" run --model /dev/zero
expect_bounded 2 "/dev/zero: is a device" -- "$TRINE" inspect --model /dev/zero
expect_bounded 2 "/dev/zero: is a device" -- "$TRINE" run --set dram.preset=/dev/zero
expect_bounded 2 "/dev/zero: is a device" -- "$TRINE" run --set tech=/dev/zero
expect_bounded 2 "/dev/zero: is a device" -- "$TRINE" dram --preset DDR4-2400 --trace /dev/zero
mkfifo fifo.yaml
expect_bounded 2 "fifo.yaml: is a device, a pipe or a socket" -- "$TRINE" check fifo.yaml
head -c 17000000 /dev/zero | tr '\0' '#' > huge.yaml
expect_bounded 2 "huge.yaml: the design point is 17000000 bytes; the largest accepted is 16 MiB" -- \
  "$TRINE" check huge.yaml
printf 'version: 1\nname: z\nbase: /dev/zero\naxes: {array.rows: [8]}\n' > zero-base.yaml
expect_bounded 2 "zero-base.yaml:3:7: base: /dev/zero: is a device" -- "$TRINE" sweep zero-base.yaml -o z

# 11: outputs that are devices or links are written through, never replaced.
"$NETGEN" example --form nk --arch mlp --seed 3 -o m.tnet || bad "netgen"
expect 0 "" -- "$TRINE" convert --model m.tnet -o /dev/null
[[ -c /dev/null ]] && ok || bad "/dev/null is no longer a device"
ln -s real.row link.row
expect 0 "" -- "$TRINE" run --row link.row
[[ -L link.row && -s real.row ]] && ok || bad "--row replaced the symbolic link"
mkdir outdir
expect 2 "outdir: is a folder; name a file to write" -- "$TRINE" convert --model m.tnet -o outdir

# 12: sweep spec errors are located, status 2, before anything runs.
printf 'version: 1\nname: t\naxes:\n  ? [a, b]\n  : [1]\n' > seqkey.yaml
expect 2 "seqkey.yaml:4:5: axes: expected a string, got a sequence" -- "$TRINE" sweep seqkey.yaml -o s1
mkdir spec-dir
expect 2 "spec-dir: is a folder, not a file" -- "$TRINE" sweep spec-dir -o s2
printf 'version: 1\nname: t\nbase: gone.yaml\naxes: {array.rows: [8, 16]}\n' > nobase.yaml
expect 2 "nobase.yaml:3:7: base: " -- "$TRINE" sweep nobase.yaml -o s3
[[ ! -e s3/results.csv ]] && ok || bad "a refused sweep wrote results"
# 4: a sweep of 10^12 points is refused, listed or not, in bounded memory.
{ printf 'version: 1\nname: huge\naxes:\n'
  for k in array.rows array.cols array.act_bits buffers.weight.banks buffers.input.banks buffers.output.banks; do
    printf '  %s: [%s]\n' "$k" "$(seq -s, 1 100)"
  done; } > huge-sweep.yaml
expect_bounded 2 "the axes make more than 100000 points" -- "$TRINE" sweep huge-sweep.yaml --list
expect_bounded 2 "the axes make more than 100000 points" -- "$TRINE" sweep huge-sweep.yaml -j 2 -o h
# 5: a filter nested 100000 deep is refused, not a stack overflow.
printf 'version: 1\nname: t\naxes: {array.rows: [8]}\nfilter: "%s1"\n' "$(head -c 60000 /dev/zero | tr '\0' '(')" > deep.yaml
expect_bounded 2 "deep.yaml:4:9: filter: column 202: nested deeper than 200 levels" -- "$TRINE" sweep deep.yaml --list

# 14: a second document is refused; a set of no images is not an accuracy of 0.
printf 'array:\n  rows: 16\n---\narray:\n  rows: 8\n' > two.yaml
expect 2 "two.yaml:3:1: content after the first YAML document" -- "$TRINE" check two.yaml
mkdir empty-set
/usr/bin/python3 -c "
import struct
open('empty-set/t10k-images-idx3-ubyte', 'wb').write(struct.pack('>IIII', 0x803, 0, 8, 8))
open('empty-set/t10k-labels-idx1-ubyte', 'wb').write(struct.pack('>II', 0x801, 0))"
expect 2 "empty-set/t10k-images-idx3-ubyte: holds no images" -- "$TRINE" infer --model m.tnet --dataset idx:empty-set

# 15: messages say where and how to fix.
expect 2 "--set dram.power.vdd=0: dram.power.vdd: must be positive" -- "$TRINE" run --set dram.power.vdd=0
printf 'array:\n  act_bits: 4\n' > act4.yaml
expect 2 "act4.yaml:2:13: array.act_bits: <embedded>/configs/nets/default.tnet: layer 'conv1': its inputs have 8 bits; array.act_bits is 4 (set array.act_bits to 8 or more, or retrain with --act-bits 4)" -- \
  "$TRINE" run --arch act4.yaml
: > empty.trace
expect 2 "empty.trace: trace: holds no requests" -- "$TRINE" dram --preset DDR4-2400 --trace empty.trace

# 16: progress on a terminal only; Ctrl-C stops after the batch, writes what is complete, 130.
out=$(script -qec "'$TRINE' run --images 100 --set array.model=cycle" /dev/null)
[[ $out =~ "trine run: "[0-9]+"/100 images (next: layer "[0-9]+"/8)" ]] && ok || bad "no progress on a terminal: ${out:0:300}"
err=$("$TRINE" run --images 20 2>&1 >/dev/null)
[[ -z $err ]] && ok || bad "progress printed when not on a terminal: $err"
"$TRINE" run --images 10000 --set array.model=cycle --report partial --row partial.row > run.out 2>&1 & pid=$!
for _ in $(seq 100); do sleep 0.1; grep -q . run.out 2>/dev/null && break; [[ -d /proc/$pid ]] || break; done
sleep 1
kill -INT $pid; wait $pid; rc=$?
[[ $rc -eq 130 ]] && ok || bad "Ctrl-C: status $rc, expected 130: $(tail -2 run.out)"
grep -q "trine run: interrupted after [0-9]* of 10000 images" run.out && ok || bad "no interruption note: $(tail -2 run.out)"
[[ -s partial/report.json && ! -e partial.row ]] && ok || bad "Ctrl-C: report missing or a partial sweep row written"
images=$(/usr/bin/python3 -c "import json; print(json.load(open('partial/report.json'))['images'])" 2>&1)
[[ $images -gt 0 && $images -lt 10000 ]] && ok || bad "the partial report covers $images images"

# 17: usage lines tell the whole command; check without a file checks the default.
expect 2 "trine report: name a sweep's output folder: trine report DIR" -- "$TRINE" report
expect 0 "--keys | --tech-keys" -- "$TRINE" check --help
expect 0 "[--trace DIR] [--vcd FILE]" -- "$TRINE" run --help
expect 0 "synthetic[:KEY=VALUE,...]" -- "$TRINE" infer --help
expect 0 "<embedded>/configs/arch/default.yaml: ok" -- "$TRINE" check --set array.rows=32
(cd / && "$TRINE" regress -q > "$work/regress.out" 2>&1) && ok || bad "regress from / failed: $(tail -2 regress.out)"

# A choice not in its list is refused with the list and the nearest name (that every listed
# choice changes the run is run.sh's choice walk).
expect 2 "array.cell: 'bit-paralel' is not one of: bit-serial, bit-parallel (did you mean 'bit-parallel'?)" -- \
  "$TRINE" run --set array.cell=bit-paralel
expect 2 "array.dataflow: 'rs' is not one of: ws, os, is" -- "$TRINE" run --set array.dataflow=rs
# Column-combined weights need cells that pick a lane: refused on an input-stationary array.
expect 2 "array.dataflow" -- "$TRINE" run --set array.dataflow=is --model "$SRC/configs/nets/lenet5-colcomb.tnet"

echo "robust: $passed passed, $failed failed"
((failed == 0))
