#!/bin/sh
# The README's console screenshots, light and dark, into data/screenshots:
# server-main-*.png (running, with the web page's address and the TLS
# fingerprint), server-join-*.png (the join window's QR code) and
# server-tls-*.png (the preferences' TLS page), each cropped to its window.
#   tools/console-screenshots.sh [BUILD] [OUT]
# The web page's port is 8080 unless taken; to shoot the README's images on
# a busy machine, run it in a network of its own with one LAN address:
#   unshare -n sh -c 'ip link set lo up; ip link add eth0 type veth peer name eth1;
#     ip addr add 192.0.2.2/24 dev eth0; ip link set eth0 up; ip link set eth1 up;
#     tools/console-screenshots.sh'
set -eu
build=${1:-_build}
out=${2:-data/screenshots}
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
for scheme in light dark; do
  if [ "$scheme" = dark ]; then export ADW_DEBUG_COLOR_SCHEME=prefer-dark; else unset ADW_DEBUG_COLOR_SCHEME; fi
  GSK_RENDERER=cairo GTK_A11Y=none xvfb-run -a -s "-screen 0 1280x1024x24" \
    "$build/tools/suda-console-shots" "$state" "import -window root -crop %g +repage $out/server-%s-$scheme.png"
done
