#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The project's two entry points, for a Debian 12 machine:
#   tools/dev.sh chat   install what is missing, build, start the chat
#   tools/dev.sh test   install what is missing, build, run every test
#                       (under Xvfb), then again in an ASan+UBSan build
#   tools/dev.sh tsan   the console and server tests in a ThreadSanitizer build
set -euo pipefail
cd "$(dirname "$0")/.."

build=${SUDA_BUILD_DIR:-_build}

install_deps() {
  bash tools/install-deps.sh
}

build() {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  fi
  ninja -C "$dir"
}

# Prints "N passed, N failed" from meson's log, the line CI reads.
summarize() {
  /usr/bin/python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
ok = bad = skip = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): ok += 1
    elif r == "SKIP": skip += 1
    else: bad += 1
print(f"{ok} passed, {bad} failed" + (f", {skip} skipped" if skip else ""))
PY
}

run_tests() {
  local dir=$1
  local status=0
  xvfb-run -a -s "-screen 0 1280x1024x24" meson test -C "$dir" --print-errorlogs --num-processes 2 || status=$?
  summarize "$dir"
  return $status
}

case "${1:-}" in
  chat)
    install_deps
    build "$build"
    exec bash tools/start-chat.sh "$build"
    ;;
  test)
    install_deps
    build "$build"
    run_tests "$build"
    build "$build-sanitize" -Db_sanitize=address,undefined -Db_lundef=false
    run_tests "$build-sanitize"
    ;;
  tsan)
    # The console's server thread and the core under ThreadSanitizer; not
    # part of "test" (it takes longer than CI allows).
    install_deps
    build "$build-tsan" -Db_sanitize=thread -Db_lundef=false
    G_SLICE=always-malloc xvfb-run -a -s "-screen 0 1280x1024x24" meson test -C "$build-tsan" --print-errorlogs \
      --num-processes 2 --timeout-multiplier 4 \
      $(meson test -C "$build-tsan" --list 2>/dev/null | grep -E '^(console-|server-|scheduler|assistant|service-)')
    ;;
  *)
    echo "usage: $0 chat|test|tsan" >&2
    exit 2
    ;;
esac
