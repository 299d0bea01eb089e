#!/usr/bin/env bash
# Installs what is needed and runs the whole test suite (offscreen, no display needed).
set -euo pipefail
cd "$(dirname "$0")/.."
# The PostgreSQL tests start a throwaway server from Debian's binaries (tests/helpers/postgres.py);
# the HQ console's browser test drives Debian's chromium (tests/test_hq_console_browser.py).
VS_EXTRA_DEBIAN_PACKAGES="${VS_EXTRA_DEBIAN_PACKAGES:-} postgresql chromium chromium-driver" \
    bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/python -m ruff check app ui tests bench scripts
.venv/bin/python -m mypy  # app/, strictly: [tool.mypy] in pyproject.toml
# Two worker processes: most of the time goes to tests that wait on child processes (the
# real hq serve, the command line), so two workers halve the wall time on a 2-core machine.
exec .venv/bin/python -m pytest -q -n 2 "$@"
