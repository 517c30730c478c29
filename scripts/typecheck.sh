#!/usr/bin/env bash
# mypy cannot see through the editable install's import hook (linter/ is installed as `venvlint`), so type-check a
# plain install of the package in a scratch directory.
set -euo pipefail
cd "$(dirname "$0")/.."
site=$(mktemp -d)
src=$(mktemp -d)
trap 'rm -rf "$site" "$src"' EXIT
# From a clean copy of the sources: setuptools' build/ directory keeps files a change has removed.
cp -r pyproject.toml README.md linter rules "$src"/
python3 -m pip install -q --no-deps --no-compile --target "$site" "$src" 2>/dev/null
(cd "$site" && MYPYPATH="$site" python3 -m mypy -p venvlint --config-file "$OLDPWD/pyproject.toml")
