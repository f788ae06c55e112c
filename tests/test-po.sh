#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Translation checks (TAP):
#   1. every file under src/ and data/ with a translatable string is listed
#      in po/POTFILES.in, and every listed file exists;
#   2. po/POTFILES.in is sorted;
#   3. po/ko.po compiles with --check and has no untranslated or fuzzy
#      messages.
set -u
top=${1:?usage: test-po.sh SOURCE_ROOT}
cd "$top"
echo "1..3"

missing=()
while IFS= read -r f; do
  grep -qxF "$f" po/POTFILES.in || missing+=("$f")
done < <(grep -rlE '(^|[^a-zA-Z_])(_|N_|C_|NC_)\("|translatable="yes"' src data \
           --include='*.c' --include='*.ui' --include='*.in' --include='*.xml' | sort)
gone=()
while IFS= read -r f; do
  [ -z "$f" ] || [ "${f#\#}" != "$f" ] || [ -f "$f" ] || gone+=("$f")
done < po/POTFILES.in
if [ ${#missing[@]} -eq 0 ] && [ ${#gone[@]} -eq 0 ]; then
  echo "ok 1 /po/potfiles/complete"
else
  echo "not ok 1 /po/potfiles/complete"
  for f in "${missing[@]}"; do echo "# not in po/POTFILES.in: $f"; done
  for f in "${gone[@]}"; do echo "# listed but missing: $f"; done
fi

if grep -v '^#' po/POTFILES.in | grep -v '^$' | LC_ALL=C sort -c 2>/dev/null; then
  echo "ok 2 /po/potfiles/sorted"
else
  echo "not ok 2 /po/potfiles/sorted"
fi

stats=$(msgfmt --check --statistics -o /dev/null po/ko.po 2>&1)
status=$?
echo "# ko.po: $stats"
case "$stats" in
  *untranslated*|*fuzzy*) status=1 ;;
esac
if [ $status -eq 0 ]; then
  echo "ok 3 /po/ko/complete-and-valid"
else
  echo "not ok 3 /po/ko/complete-and-valid"
fi
