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
