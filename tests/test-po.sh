#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Translation checks (TAP):
#   1. every file under src/ and data/ with a translatable string is listed
#      in po/POTFILES.in, and every listed file exists;
#   2. po/POTFILES.in is sorted;
#   3. po/ko.po compiles with --check and has no untranslated or fuzzy
#      messages;
#   4. po/ko.po translates every message the sources have now (a string
#      added since the last translation round fails here).
set -u
top=${1:?usage: test-po.sh SOURCE_ROOT}
cd "$top"
echo "1..4"

missing=()
while IFS= read -r f; do
  grep -qxF "$f" po/POTFILES.in || missing+=("$f")
done < <(grep -rlE '(^|[^a-zA-Z_])(_|N_|C_|NC_)\("|translatable="yes"' src data \
           --include='*.c' --include='*.ui' --include='*.in' --include='*.xml' --include='*.js' | sort)
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

# The same extraction as meson's "glib" preset, from the files as they are.
pot=$(mktemp --suffix=.pot)
trap 'rm -f "$pot"' EXIT
xgettext --from-code=UTF-8 --add-comments --directory="$top" --files-from=po/POTFILES.in \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --output="$pot" 2>/dev/null
if missing=$(msgcmp po/ko.po "$pot" 2>&1); then
  echo "ok 4 /po/ko/covers-every-source-string"
else
  echo "not ok 4 /po/ko/covers-every-source-string"
  echo "$missing" | head -20 | sed 's/^/# /'
fi
