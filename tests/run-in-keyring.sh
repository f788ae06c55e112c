#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a test in a D-Bus session of its own with a gnome-keyring-daemon of its
# own, whose keyrings live in a temporary folder: the person's keyring is never
# reached.  The daemon's "login" keyring, created unlocked, is the default
# collection libsecret stores into.  Usage: run-in-keyring.sh PROGRAM [ARGS...]
set -eu
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export XDG_DATA_HOME=$home/data XDG_RUNTIME_DIR=$home/run HOME=$home XDG_CONFIG_HOME=$home/config
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
exec dbus-run-session -- bash -c 'printf "test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"' bash "$@"
