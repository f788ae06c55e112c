#!/bin/sh
# The README's console screenshots, light and dark, into data/screenshots:
# server-main-*.png (running, with the web page's address and the TLS
# fingerprint) and server-tls-*.png (the preferences' TLS page).
#   tools/console-screenshots.sh [BUILD] [OUT]
set -eu
build=${1:-_build}
out=${2:-data/screenshots}
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
for scheme in light dark; do
  if [ "$scheme" = dark ]; then export ADW_DEBUG_COLOR_SCHEME=prefer-dark; else unset ADW_DEBUG_COLOR_SCHEME; fi
  GSK_RENDERER=cairo GTK_A11Y=none xvfb-run -a -s "-screen 0 1280x1024x24" \
    "$build/tools/suda-console-shots" "$state" "import -window root $out/server-%s-$scheme.png"
done
