# Shared helpers of the end-to-end scripts: counters and `expect STATUS 'text' -- command...`,
# which checks the exit status and that the output contains the text.
# Sourcing it also makes a scratch folder, $work, removed when the script exits.
passed=0 failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
expect() {
  local want_rc=$1 want_text=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [[ $rc -ne $want_rc ]]; then bad "$* -> status $rc, expected $want_rc: $out"; return; fi
  if [[ -n $want_text && $out != *"$want_text"* ]]; then bad "$* -> output lacks '$want_text': $out"; return; fi
  ok
}
# tiny_sram_tech SRC DIR: writes DIR/tiny-tech.yaml, the 40nm technology with an SRAM table
# that also has banks of 16 B to 512 B (each priced as the 1 KiB macro: test data, not CACTI),
# for tests of mechanisms (banding, spilling) that need buffers smaller than any SRAM macro.
tiny_sram_tech() {
  sed 's/^  table: sram-cacti7-40nm.csv/  table: tiny.csv/' "$1/configs/tech/40nm.yaml" > "$2/tiny-tech.yaml"
  { cat "$1/configs/tech/sram-cacti7-40nm.csv"
    for kib in 0.015625 0.03125 0.0625 0.125 0.25 0.5; do
      awk -F, -v OFS=, -v kib="$kib" '$2 == 1 && $4 == 1 { $2 = kib; print }' \
        "$1/configs/tech/sram-cacti7-40nm.csv"
    done; } > "$2/tiny.csv"
}
