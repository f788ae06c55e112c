#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a test beside a real Avahi daemon that nobody else sees: a network
# namespace whose only interface is lo (multicast on: Avahi skips interfaces
# without it), a private /run with its own system bus, and avahi-daemon on
# it.  Everything vanishes with the namespace.  Needs root (.ci/run is).
# Usage: run-in-avahi-netns.sh [--no-daemon] PROGRAM [ARGS...]
# --no-daemon: the same namespace and bus, without avahi-daemon.  The test
# sees SUDA_TEST_AVAHI (running or absent) and SUDA_TEST_AVAHI_CONF, the
# daemon's configuration, to start one itself.
# Without root or unshare, prints a TAP skip and exits 0.
set -eu

if [ "${SUDA_IN_AVAHI_NETNS:-}" != 1 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null || ! command -v avahi-daemon >/dev/null; then
    echo "1..0 # SKIP needs root, unshare and avahi-daemon"
    exit 0
  fi
  export SUDA_IN_AVAHI_NETNS=1
  exec unshare --net --mount --propagation private --pid --fork --kill-child --mount-proc \
    "$0" "$@"
fi

daemon=1
if [ "${1:-}" = --no-daemon ]; then
  daemon=0
  shift
fi

ip link set lo up
ip link set lo multicast on
mount -t tmpfs tmpfs /run
mkdir -p /run/dbus /run/avahi-daemon
conf=/run/avahi-daemon/suda-test.conf
cat >"$conf" <<CONF
[server]
host-name=suda-test
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
enable-dbus=yes
[wide-area]
enable-wide-area=no
[publish]
publish-workstation=no
publish-hinfo=no
publish-addresses=yes
publish-domain=no
[reflector]
[rlimits]
CONF

dbus-daemon --system --nofork --nopidfile >/dev/null 2>&1 &
for _ in $(seq 100); do
  [ -S /run/dbus/system_bus_socket ] && break
  sleep 0.05
done
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/dbus/system_bus_socket

export SUDA_TEST_AVAHI_CONF=$conf SUDA_TEST_AVAHI=absent
if [ "$daemon" = 1 ]; then
  SUDA_TEST_AVAHI=running
  avahi-daemon -f "$conf" --no-drop-root --no-chroot --no-rlimits >/run/avahi-daemon/log 2>&1 &
  # RUNNING is 2: the host name is established and services can be published.
  for _ in $(seq 200); do
    state=$(gdbus call --system --dest org.freedesktop.Avahi --object-path / \
              --method org.freedesktop.Avahi.Server.GetState 2>/dev/null || true)
    [ "$state" = "(2,)" ] && break
    sleep 0.05
  done
  if [ "$state" != "(2,)" ]; then
    echo "# avahi-daemon did not reach RUNNING: ${state:-no answer}" >&2
    cat /run/avahi-daemon/log >&2
    exit 1
  fi
fi

"$@"
