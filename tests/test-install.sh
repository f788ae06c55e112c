#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build into a temporary DESTDIR and checks what lands there (TAP):
#   1. exactly the expected files are installed, no more and no fewer;
#   2. programs are executable and the daemon runs from where it was installed;
#   3. the systemd unit starts the installed daemon and passes systemd-analyze;
#   4. desktop files, metainfo and icons are valid and fit together;
#   5. the Korean catalogue is installed and has translations in it.
#
# usage: test-install.sh BUILD_DIR PREFIX BINDIR DATADIR MANDIR SYSCONFDIR LOCALEDIR GUI
# (directories as meson's options give them, relative to PREFIX or absolute;
#  GUI is "true" when the client and the console are built)
set -u
build=${1:?usage: test-install.sh BUILD_DIR PREFIX BINDIR DATADIR MANDIR SYSCONFDIR LOCALEDIR GUI}
prefix=$2 bindir=$3 datadir=$4 mandir=$5 sysconfdir=$6 localedir=$7 gui=$8

echo "1..5"

dest=$(mktemp -d "${TMPDIR:-/tmp}/suda-install-XXXXXX")
trap 'rm -rf "$dest"' EXIT

# meson's directory options are relative to the prefix unless absolute.
under_prefix () {
  case "$1" in
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$prefix" "$1" ;;
  esac
}
bin=$(under_prefix "$bindir")
share=$(under_prefix "$datadir")
man1=$(under_prefix "$mandir")/man1
etc=$(under_prefix "$sysconfdir")
locale=$(under_prefix "$localedir")

expected=(
  "$bin/suda-serverd"
  "$share/doc/suda/suda-server.conf.example"
  "$share/glib-2.0/schemas/chat.suda.Server.gschema.xml"
  "$share/glib-2.0/schemas/chat.suda.Suda.gschema.xml"
  "$locale/ko/LC_MESSAGES/suda.mo"
  "$man1/suda-serverd.1"
  "$prefix/lib/systemd/system/suda-serverd.service"
  "$etc/logrotate.d/suda-serverd"
)
if [ "$gui" = true ]; then
  expected+=(
    "$bin/suda"
    "$bin/suda-server"
    "$share/applications/chat.suda.Server.desktop"
    "$share/applications/chat.suda.Suda.desktop"
    "$share/metainfo/chat.suda.Server.metainfo.xml"
    "$share/metainfo/chat.suda.Suda.metainfo.xml"
    "$share/icons/hicolor/scalable/apps/chat.suda.Server.svg"
    "$share/icons/hicolor/scalable/apps/chat.suda.Suda.svg"
    "$share/icons/hicolor/symbolic/apps/chat.suda.Server-symbolic.svg"
    "$share/icons/hicolor/symbolic/apps/chat.suda.Suda-symbolic.svg"
    "$man1/suda-server.1"
    "$man1/suda.1"
  )
fi

if ! out=$(meson install --no-rebuild --quiet --destdir "$dest" -C "$build" 2>&1); then
  echo "Bail out! meson install failed"
  printf '%s\n' "$out" | sed 's/^/# /'
  exit 1
fi

# 1. the file list
want=$(printf '%s\n' "${expected[@]}" | LC_ALL=C sort)
have=$(cd "$dest" && find . -type f -o -type l | sed 's|^\.||' | LC_ALL=C sort)
if [ "$want" = "$have" ]; then
  echo "ok 1 /install/file-list/exact"
else
  echo "not ok 1 /install/file-list/exact"
  diff <(printf '%s\n' "$want") <(printf '%s\n' "$have") | grep '^[<>]' |
    sed -e 's/^</# missing:/' -e 's/^>/# unexpected:/'
fi

# 2. programs
failed=()
for program in "${expected[@]}"; do
  case "$program" in
    "$bin"/*) [ -x "$dest$program" ] || failed+=("not executable: $program") ;;
  esac
done
version=$("$dest$bin/suda-serverd" --version 2>&1)
[ "$version" = "suda-serverd $(meson introspect --projectinfo "$build" | sed -n 's/.*"version": "\([^"]*\)".*/\1/p')" ] ||
  failed+=("suda-serverd --version said: $version")
if [ ${#failed[@]} -eq 0 ]; then
  echo "ok 2 /install/programs/run"
else
  echo "not ok 2 /install/programs/run"
  printf '# %s\n' "${failed[@]}"
fi

# 3. the systemd unit names the installed daemon, and systemd accepts it
unit="$dest$prefix/lib/systemd/system/suda-serverd.service"
if ! grep -q "exec $bin/suda-serverd " "$unit"; then
  echo "not ok 3 /install/systemd-unit/valid"
  echo "# the unit does not start $bin/suda-serverd"
elif ! command -v systemd-analyze >/dev/null; then
  echo "ok 3 /install/systemd-unit/valid # SKIP systemd-analyze is not installed"
elif out=$(systemd-analyze verify --man=no "$unit" 2>&1) && [ -z "$out" ]; then
  echo "ok 3 /install/systemd-unit/valid"
else
  echo "not ok 3 /install/systemd-unit/valid"
  printf '%s\n' "$out" | sed 's/^/# /'
fi

# 4. the desktop side as a software centre sees it: valid files, each
#    metainfo's launchable installed, each desktop file's icon installed in
#    full colour and symbolic
if [ "$gui" != true ]; then
  echo "ok 4 /install/appstream/tree # SKIP built without the GUI"
elif ! command -v appstreamcli >/dev/null || ! command -v desktop-file-validate >/dev/null; then
  echo "ok 4 /install/appstream/tree # SKIP appstreamcli or desktop-file-validate is not installed"
else
  failed=()
  out=$(appstreamcli validate-tree --no-net "$dest$prefix" 2>&1) || failed+=("$out")
  for metainfo in "$dest$share"/metainfo/*.metainfo.xml; do
    launchable=$(sed -n 's|.*<launchable type="desktop-id">\(.*\)</launchable>.*|\1|p' "$metainfo")
    [ -n "$launchable" ] && [ -f "$dest$share/applications/$launchable" ] ||
      failed+=("${metainfo##*/} launches \"$launchable\", which is not installed")
  done
  for desktop in "$dest$share"/applications/*.desktop; do
    out=$(desktop-file-validate "$desktop" 2>&1) || failed+=("$out")
    icon=$(sed -n 's/^Icon=//p' "$desktop")
    for svg in "scalable/apps/$icon.svg" "symbolic/apps/$icon-symbolic.svg"; do
      [ -f "$dest$share/icons/hicolor/$svg" ] || failed+=("${desktop##*/}: no icon $svg")
    done
  done
  if [ ${#failed[@]} -eq 0 ]; then
    echo "ok 4 /install/appstream/tree"
  else
    echo "not ok 4 /install/appstream/tree"
    printf '%s\n' "${failed[@]}" | sed 's/^/# /'
  fi
fi

# 5. the catalogue
mo="$dest$locale/ko/LC_MESSAGES/suda.mo"
if [ -f "$mo" ] && [ "$(msgunfmt "$mo" 2>/dev/null | grep -c '^msgid ')" -gt 0 ]; then
  echo "ok 5 /install/locale/ko"
else
  echo "not ok 5 /install/locale/ko"
  echo "# $mo is missing or has no messages"
fi
