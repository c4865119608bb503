#!/usr/bin/env bash
# Build a wheel, install it non-editably into a fresh venv and run the main commands from another directory.
# Usage: bash scripts/wheel_smoke.sh   (from anywhere; exits non-zero on the first unexpected result)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d /tmp/compliance-wheel.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --upgrade pip >/dev/null 2>&1 || true
"$WORK/venv/bin/pip" wheel -q --no-deps -w "$WORK/dist" "$REPO" >/dev/null
"$WORK/venv/bin/pip" install -q "$WORK"/dist/compliance-*.whl
BIN="$WORK/venv/bin/compliance"

expect() {  # expect CODE command...
  local want=$1; shift
  local got=0
  "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || got=$?
  if [ "$got" != "$want" ]; then
    echo "wheel smoke: '$*' exited $got, expected $want" >&2
    tail -n 20 "$WORK/err.txt" >&2
    exit 1
  fi
  echo "wheel smoke: ok ($got) $*"
}

cd "$WORK"
expect 1 "$BIN" check "$REPO/fixtures" --as-of 2025-11-20
expect 0 "$BIN" validate "$REPO/fixtures" --as-of 2025-11-20
expect 0 "$BIN" report "$REPO/fixtures" --as-of 2025-11-20 -o "$WORK/report" --format md,xlsx
expect 0 "$BIN" rules test
expect 0 "$BIN" rules packs
if [ -d "$REPO/fixtures-sanhui" ]; then
  expect 1 "$BIN" check --pack sanhui "$REPO/fixtures-sanhui" --as-of 2025-11-20
  expect 0 "$BIN" validate --domain sanhui "$REPO/fixtures-sanhui" --as-of 2025-11-20
  expect 0 "$BIN" rules test sanhui
  expect 0 "$BIN" report --pack sanhui "$REPO/fixtures-sanhui" --as-of 2025-11-20 -o "$WORK/report-sanhui" --format md,docx
fi
test -s "$WORK/report/督查报告.md"
echo "wheel smoke: all commands ran from the installed wheel"
