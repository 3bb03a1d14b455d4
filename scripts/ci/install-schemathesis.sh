#!/usr/bin/env bash
# Installs Schemathesis, the API fuzzer that tests/fuzz runs against the real API, into a Python virtual
# environment at $FOLIO_TOOLS_DIR/schemathesis (default ~/.cache/folio/schemathesis, where tests/fuzz looks for
# it), unless that version is already there. Needs Python 3.10 or newer with the venv module.
#
# Usage: bash scripts/ci/install-schemathesis.sh
# Keep VERSION in step with SCHEMATHESIS_VERSION in tests/fuzz/src/schemathesis.ts.
set -euo pipefail

VERSION=4.32.5
venv="${FOLIO_TOOLS_DIR:-$HOME/.cache/folio}/schemathesis"
st="$venv/bin/st"

if [ -x "$st" ] && [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" = "$VERSION" ]; then
  echo "schemathesis $VERSION: already in $venv"
  exit 0
fi

python=$(command -v python3 || true)
if [ -z "$python" ] || ! "$python" -c 'import sys, venv; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "install-schemathesis: Python 3.10 or newer with the venv module is needed (Debian: apt-get install python3-venv)" >&2
  exit 1
fi

rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
echo "schemathesis $VERSION: installed in $venv"
