#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Starts the chat from a build directory: for now the headless server on
# port 6667 (Ctrl+C stops it).
set -euo pipefail
build=${1:-_build}
exec "$build/src/serverd/suda-serverd" --port "${SUDA_PORT:-6667}"
