#!/bin/sh
# The README's screenshot of the console's Cluster page, into
# data/screenshots/console-cluster.png (needs redis-server; the shot of
# Redis stopped goes beside it in the state folder, to look at).
#   tools/cluster-screenshot.sh [BUILD] [OUT]
set -eu
build=${1:-_build}
out=${2:-data/screenshots}
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
GSK_RENDERER=cairo GTK_A11Y=none xvfb-run -a -s "-screen 0 1280x1024x24" \
  "$build/tools/suda-cluster-shot" "$state" "import -window root $state/console-%s.png"
# the window alone (1100x700 at the root's corner), not the whole screen
convert "$state/console-cluster.png" -crop 1100x700+0+0 +repage "$out/console-cluster.png"
cp "$state/console-cluster-unreachable.png" "${TMPDIR:-/tmp}/console-cluster-unreachable.png"
