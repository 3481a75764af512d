#!/usr/bin/env bash
# End-to-end tests of `trine dram`: the standalone DRAM on traces and patterns, its JSON, the
# command log and protocol check, and located errors for bad traces and presets.
# Usage: dram.sh TRINE SOURCE_DIR
set -u
TRINE=$(realpath "$1") SRC=$(realpath "$2")
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # counters, expect, $work
cd "$work"

# Every preset: a sequential stream is near peak and never above it; the JSON has the keys.
for p in DDR3-1600 DDR4-2400 LPDDR4-3200; do
  "$TRINE" dram --preset $p --pattern sequential --bytes 262144 --json > $p.json && ok || bad "dram $p"
  python3 - $p.json <<'PY' && ok || bad "dram $p: JSON figures"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("bandwidth_gbps", "peak_bandwidth_gbps", "read_latency_ns_mean", "row_hit_rate", "commands"):
    assert k in d, k
assert 0.85 * d["peak_bandwidth_gbps"] <= d["bandwidth_gbps"] <= d["peak_bandwidth_gbps"], d
assert d["requests"] == 262144 // (d["bytes"] // d["requests"])
PY
done

# Random traffic is slower and activates rows; the same command gives the same bytes.
"$TRINE" dram --preset DDR4-2400 --pattern random --bytes 262144 --json > random.json && ok || bad "random"
python3 - DDR4-2400.json random.json <<'PY' && ok || bad "random vs sequential"
import json, sys
seq, rnd = (json.load(open(f)) for f in sys.argv[1:])
assert rnd["bandwidth_gbps"] < seq["bandwidth_gbps"] and rnd["commands"]["ACT"] > 10 * seq["commands"]["ACT"]
PY
"$TRINE" dram --preset DDR4-2400 --pattern random --bytes 262144 --json > again.json
cmp -s random.json again.json && ok || bad "dram output differs between identical runs"

# Traces in both formats, the command log and the protocol check.
printf '# DRAMSys\n0: read 0x0\n4: read 0x40\n10: write 0x2000 0x00ff\n' > dramsys.stl
printf 'LD 0x100\nST 0x140\nLD 0x10000000\n' > ramulator.trace
expect 0 "requests    3 (2 reads, 1 writes)" -- "$TRINE" dram --preset DDR3-1600 --trace dramsys.stl
expect 0 "protocol    0 violation(s)" -- "$TRINE" dram --preset LPDDR4-3200 --trace ramulator.trace --check --log cmd.log
grep -q "^[0-9]* ACT 0 0 0" cmd.log && grep -q " RD " cmd.log && grep -q " WR " cmd.log \
  && ok || bad "command log lacks commands"
expect 0 "protocol    0 violation(s)" -- "$TRINE" dram --preset DDR4-2400 --pattern random \
  --bytes 65536 --write-fraction 0.5 --set dram.page_policy=closed --set dram.org.ranks=2 --check

# Bad traces: one located line, status 2, nothing written.
printf '0: read 0x0\n1: raed 0x40\n' > cmd.stl
printf '0: read 0x0\n5: read 0x40\n3: read 0x80\n' > order.stl
printf 'LD 0x0\nLD 0xfffffffffff\n' > far.trace
printf 'LD 0x0\nLD zz\n' > addr.trace
printf 'LD\n' > short.trace
expect 2 "cmd.stl:2:1: trace: unknown command 'raed' (expected read or write)" -- "$TRINE" dram --preset DDR4-2400 --trace cmd.stl
expect 2 "order.stl:3:1: trace: cycle 3 is before the previous line's 5" -- "$TRINE" dram --preset DDR4-2400 --trace order.stl
expect 2 "far.trace:2:1: trace: address 0xfffffffffff is beyond the DRAM capacity" -- "$TRINE" dram --preset DDR4-2400 --trace far.trace --log never.log
[[ ! -e never.log ]] && ok || bad "a failed run left a command log"
expect 2 "addr.trace:2:1: trace: bad address 'zz'" -- "$TRINE" dram --preset DDR4-2400 --trace addr.trace
expect 2 "short.trace:1:1: trace: expected 'LD 0x<address>'" -- "$TRINE" dram --preset DDR4-2400 --trace short.trace
expect 2 "missing.stl: cannot open the trace" -- "$TRINE" dram --preset DDR4-2400 --trace missing.stl
expect 2 "give exactly one of --trace FILE and --pattern P" -- "$TRINE" dram --preset DDR4-2400
expect 2 "give --arch or --preset, not both" -- "$TRINE" dram --preset DDR4-2400 --arch x.yaml --pattern random
expect 2 "dram.preset: 'DDR5' is not one of" -- "$TRINE" dram --preset DDR5 --pattern random
expect 2 "--pattern: 'zigzag' is not one of" -- "$TRINE" dram --preset DDR4-2400 --pattern zigzag

# Presets from files: a complete one runs; a missing timing or a typo is a located error.
sed -n '/^name:/,$p' "$SRC/configs/dram/DDR4-2400.yaml" > my.yaml 2>/dev/null \
  || true
if [[ -s my.yaml ]]; then
  printf 'dram:\n  preset: my.yaml\n' > arch.yaml
  expect 0 "bandwidth" -- "$TRINE" dram --arch arch.yaml --pattern sequential --bytes 4096
  grep -v "tRCD" my.yaml > notrcd.yaml
  printf 'dram:\n  preset: notrcd.yaml\n' > arch2.yaml
  expect 2 "notrcd.yaml: dram.timing.tRCD: missing" -- "$TRINE" dram --arch arch2.yaml --pattern random
  sed 's/  tRP:/  tRPP:/' my.yaml > typo.yaml
  printf 'dram:\n  preset: typo.yaml\n' > arch3.yaml
  expect 2 "typo.yaml:16:3: dram.timing.tRPP: unknown key (did you mean 'tRP'?)" -- "$TRINE" dram --arch arch3.yaml --pattern random
else
  bad "cannot find configs/dram/DDR4-2400.yaml next to the build"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
