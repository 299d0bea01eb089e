#!/usr/bin/env bash
# Installs everything Venue Supervisor needs on a Debian machine: the system libraries
# Qt loads at run time, then a virtual environment in .venv with the app and its tools.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(
  # Qt's shared libraries (offscreen and xcb platforms)
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3
  libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1 libxrender1 libxi6 libsm6 libice6
  # QtMultimedia (camera) loads PulseAudio's client library
  libpulse0
  # a virtual screen for the demo on a machine without a display; PDF to PNG for checks
  xvfb xauth poppler-utils
)
# Callers add what only they need, space-separated: scripts/test.sh asks for `postgresql`
# (the HQ tests start a throwaway server from its binaries); the demo does not need it.
if [ -n "${VS_EXTRA_DEBIAN_PACKAGES:-}" ]; then
  read -r -a extra_packages <<< "$VS_EXTRA_DEBIAN_PACKAGES"
  debian_packages+=("${extra_packages[@]}")
fi
if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then missing+=(python3-venv); fi
  if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=()
    [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    echo "Installing Debian packages: ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
