#!/usr/bin/env bash
# Builds the one-folder application: dist/venue-supervisor/ (PyInstaller, build.spec).
# The build records what it was built from in app/build.json (read by --version), which is
# removed again afterwards so that the checkout keeps saying it runs from source.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="${commit}+changes"
fi
printf '{"commit": "%s", "built": "%s"}\n' "$commit" "$(date -u +%Y-%m-%dT%H:%MZ)" > app/build.json
trap 'rm -f app/build.json' EXIT
.venv/bin/pyinstaller --noconfirm build.spec
echo "built dist/venue-supervisor/ (commit $commit)"
