#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The console and the daemon give each short option one meaning: a letter
# both programs take stands for the same long option in both.
# Usage: test-short-options.sh SUDA-SERVERD SUDA-SERVER
set -u
serverd=$1
console=$2
echo "1..1"
shorts () {
  # "  -l, --listen=ADDR  ..." → "l listen"
  "$1" --help-all 2>/dev/null | sed -n 's/^ *-\([A-Za-z]\), --\([a-z-]*\).*/\1 \2/p' | sort
}
d=$(shorts "$serverd")
c=$(shorts "$console")
if [ -z "$d" ] || [ -z "$c" ]; then
  echo "not ok 1 - no options read from --help-all"
  exit 0
fi
clash=$(printf '%s\n%s\n' "$d" "$c" | sort -u | awk '{ n[$1]++ } END { for (k in n) if (n[k] > 1) print k }')
if [ -n "$clash" ]; then
  echo "# short options with two meanings: $clash"
  printf '# suda-serverd:\n%s\n# suda-server:\n%s\n' "$d" "$c" | sed 's/^/# /'
  echo "not ok 1 - one meaning per short option"
else
  echo "ok 1 - one meaning per short option"
fi
