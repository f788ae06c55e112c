#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes catalog.js for the web page: every string app.js passes to its _() function, with
its translation from each po/LANG.po named in po/LINGUAS, as
window.SUDA_CATALOGS = {LANG: {msgid: msgstr}}.  The page reads it before
app.js, so the page speaks the languages the programs speak, from the same
files translators already keep.

usage: make-catalog.py APP_JS PO_DIR OUTPUT
"""
import ast
import json
import os
import re
import sys

# A JavaScript double-quoted string inside _( ), as xgettext finds them.
CALL = re.compile(r'\b_\(\s*("(?:[^"\\\n]|\\.)*")\s*\)')


def js_strings(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # The page's strings use only escapes JSON and Python read alike.
    return {ast.literal_eval(m.group(1)) for m in CALL.finditer(text)}


def po_entries(path):
    """msgid → msgstr of the translated, non-fuzzy entries of a .po file
    (entries are separated by blank lines, as msgmerge writes them)."""
    entries, parts, field, fuzzy = {}, {}, None, False

    def finish():
        if parts.get("msgid") and parts.get("msgstr") and "msgctxt" not in parts and not fuzzy:
            entries[parts["msgid"]] = parts["msgstr"]

    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line:
                finish()
                parts, field, fuzzy = {}, None, False
            elif line.startswith("#,"):
                fuzzy = "fuzzy" in line
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and field:
                parts[field] += ast.literal_eval(line)
            else:
                field, _, rest = line.partition(" ")
                parts[field] = ast.literal_eval(rest)
    finish()
    return entries


def main(app_js, po_dir, output):
    wanted = js_strings(app_js)
    with open(os.path.join(po_dir, "LINGUAS"), encoding="utf-8") as f:
        languages = [w for line in f for w in line.split("#")[0].split()]
    catalogs = {}
    for language in languages:
        entries = po_entries(os.path.join(po_dir, language + ".po"))
        catalogs[language] = {k: entries[k] for k in sorted(wanted) if k in entries}
    with open(output, "w", encoding="utf-8") as f:
        f.write("// Made from po/ by src/server/web/make-catalog.py at build time.\n")
        f.write("window.SUDA_CATALOGS = ")
        json.dump(catalogs, f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        f.write(";\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    main(*sys.argv[1:])
