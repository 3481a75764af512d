#!/usr/bin/env bash
# End-to-end tests of traces and golden regression: `trine run --trace` writes the event trace,
# the summary and a Chrome trace; changing one DRAM timing of a bundled design point makes
# `trine regress` fail and name the first differing DRAM command, restoring it passes;
# energies compare within the case's tolerance, integers exactly; --update re-blesses.
# Usage: regress.sh TRINE SOURCE_DIR
set -u
TRINE=$(realpath "$1") SRC=$(realpath "$2")
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # counters, expect, $work
cd "$work"

# The trace files.
expect 0 "" -- "$TRINE" run --trace tr
for f in events.txt summary.txt trace.json; do [[ -s tr/$f ]] && ok || bad "--trace did not write $f"; done
/usr/bin/python3 - tr/trace.json <<'PY' && ok || bad "trace.json is not a Chrome trace with tiles and DRAM commands"
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
assert any(e["ph"] == "X" and e["name"] == "tile" for e in ev)
assert any(e["ph"] == "i" and e["cat"] == "dram" for e in ev)
assert all(e["ts"] >= 0 for e in ev if e["ph"] != "M")
PY
grep -q "^ *[0-9]* array      tile   layer=conv1 tile=0 " tr/events.txt && ok || bad "no conv1 tile event"

# The bundled cases pass; a copy of the repository's inputs is what the test edits.
cp -r "$SRC/configs" "$SRC/traces" .
expect 0 "13 of 13 cases match" -- "$TRINE" regress traces
# One DRAM timing of the default design point: the first differing event is a DRAM command.
sed -i 's|^  # org: and timing: override the preset key by key.*|  timing: {tRCD: 18}|' configs/arch/default.yaml
grep -q "timing: {tRCD: 18}" configs/arch/default.yaml && ok || bad "the test could not edit the design point"
out=$("$TRINE" regress traces 2>&1); rc=$?
[[ $rc == 1 ]] && ok || bad "regress with tRCD=18 exited $rc"
first=$(grep -A4 "^FAIL    default-dense8:" <<< "$out" | grep -m1 '^  + ')
[[ $first == *" dram "* ]] && ok || bad "the first difference is not a DRAM command: $first"
grep -q "^FAIL    default-dense8: events.txt line [0-9]* is the first difference" <<< "$out" && ok \
  || bad "the failure does not name the case and line: $out"
grep -q "^ok      kung2019-colcomb" <<< "$out" && ok || bad "a case on another design point failed too"
cp "$SRC/configs/arch/default.yaml" configs/arch/default.yaml
expect 0 "13 of 13 cases match" -- "$TRINE" regress traces

# Energies: within the tolerance they pass, beyond it the key is named; integers are exact.
s=traces/default-nk/expected/summary.txt
cp $s summary.orig
/usr/bin/python3 - $s 1.0000001 <<'PY'
import re, sys
p, f = sys.argv[1], float(sys.argv[2])
t = open(p).read()
t = re.sub(r"total_pj=([0-9.e+]+)", lambda m: "total_pj=%.10g" % (float(m.group(1)) * f), t, count=1)
open(p, "w").write(t)
PY
expect 0 "1 of 1 cases match" -- "$TRINE" regress traces/default-nk
cp summary.orig $s
sed -i '0,/total_pj=/s/total_pj=\([0-9]\)/total_pj=9\1/' $s
expect 1 "summary.txt line 3 (energy total): total_pj is" -- "$TRINE" regress traces/default-nk
cp summary.orig $s
sed -i 's/ cycles=\([0-9]*\) bit_exact/ cycles=1\1 bit_exact/' $s
expect 1 "expected cycles=1" -- "$TRINE" regress traces/default-nk
# --update re-blesses on purpose.
expect 0 "1 of 1 cases blessed" -- "$TRINE" regress traces/default-nk --update
cmp -s summary.orig $s && ok || bad "--update did not restore the expectation"
# A case that cannot run fails with its error; one that names a missing file is refused at its
# line (issue 22, item 12).
cp traces/default-nk/case.yaml case.orig
printf 'set: [array.act_bits=2]\n' >> traces/default-nk/case.yaml
expect 1 "FAIL    default-nk: " -- "$TRINE" regress traces/default-nk
cp case.orig traces/default-nk/case.yaml
sed -i 's|lenet5-nk.tnet|missing.tnet|' traces/default-nk/case.yaml
expect 2 "traces/default-nk/case.yaml:4:8: model: traces/default-nk/../../configs/nets/missing.tnet: cannot open the network" -- "$TRINE" regress traces/default-nk

echo "regress: $passed passed, $failed failed"
((failed == 0))
