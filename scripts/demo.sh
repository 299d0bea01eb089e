#!/usr/bin/env bash
# Installs what is needed and opens Venue Supervisor on its built-in demo event.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec .venv/bin/python -m app --demo "$@"
fi
# No screen attached (a server, a CI box): run the real window on a virtual screen and save
# a picture of it, so the person who ran this still sees the product.
shot="${DEMO_SCREENSHOT:-demo-screenshot.png}"
echo "No display found: running the demo on a virtual screen and saving $shot"
exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m app --demo --screenshot "$shot" "$@"
