#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages that building, running and testing Suda
# need.  Idempotent: when everything is present it asks apt nothing.
set -euo pipefail

packages=(
  # build
  gcc meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libadwaita-1-dev
  libsoup-3.0-dev libjson-glib-dev libcrypt-dev
  # accounts (SQLite), self-signed certificates (GnuTLS), GIO's TLS backend
  libsqlite3-dev libgnutls28-dev glib-networking
  # several servers sharing rooms (RESP through hiredis) and, for tests, Redis
  libhiredis-dev redis-server
  # the client's account passwords (libsecret) and, for their test, a keyring
  libsecret-1-dev gnome-keyring dbus-bin
  # the console's QR code of the web page's address and, for its test, a reader
  libqrencode-dev zbar-tools
  # tests: a display, an independent IRC client library, a reference server
  xvfb xauth python3 python3-irc netcat-openbsd
  # the standard IRC servers the client is tried against (test-client-peers)
  ngircd inspircd
  # a TLS client that can offer only TLS 1.1 (test-server-tls)
  openssl
  # interop with a terminal IRC client: irssi driven in tmux
  irssi tmux
  # and with WeeChat, driven through its FIFO (the fifo plugin is in
  # weechat-plugins, which weechat-headless only suggests)
  weechat-headless weechat-plugins
  # running the two windows from a root shell
  dbus-daemon
  # the web page: WebSocket sessions, and a real browser driven by WebDriver
  python3-websockets chromium chromium-driver python3-selenium
  # Hangul glyphs for the Korean UI
  fonts-nanum
  # validation of what is installed
  desktop-file-utils appstream libxml2-utils groff-base systemd
  # announcing the chat on the local network and finding it (Avahi); for the
  # tests, a daemon of their own in a network namespace (ip from iproute2;
  # --no-install-recommends matters: libnss-mdns would edit nsswitch.conf)
  libavahi-client-dev libavahi-glib-dev avahi-daemon iproute2
  # fuzzing (tests/fuzz, -Dfuzzing=true): clang and its libFuzzer runtime;
  # the gcc build and the corpus replays in the suite need neither
  clang libclang-rt-14-dev
)

# ---- Korean locale (translation tests) -------------------------------------
# A server started with LANG=ko_KR.UTF-8 must talk Korean, and the test that
# checks it needs the locale itself, not only Suda's catalogue.  Debian's
# `locales` generates it on demand.  Done before the early exit below, which
# would otherwise skip it whenever every package is present.
if ! locale -a 2>/dev/null | grep -qix 'ko_KR\.utf8'; then
  as_root=
  [ "$(id -u)" -eq 0 ] || as_root=sudo
  if ! command -v locale-gen >/dev/null 2>&1; then
    $as_root apt-get update
    $as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends locales
  fi
  grep -q '^# *ko_KR.UTF-8 UTF-8' /etc/locale.gen ||
    echo '# ko_KR.UTF-8 UTF-8' | $as_root tee -a /etc/locale.gen >/dev/null
  $as_root sed -i 's/^# *ko_KR.UTF-8 UTF-8/ko_KR.UTF-8 UTF-8/' /etc/locale.gen
  $as_root locale-gen
fi
# ---- end of the Korean locale ----------------------------------------------

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
# The Debian packages start ngircd and inspircd as system services; the
# tests start their own on loopback ports, so the system ones are not needed.
for service in ngircd inspircd; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
    $sudo systemctl disable --now "$service" || true
  fi
done
