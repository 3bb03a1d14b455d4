#!/usr/bin/env bash
# Installs versitygw, the S3 server that @folio/testkit runs tests against, into $FOLIO_TOOLS_DIR/bin
# (default ~/.cache/folio/bin, where the testkit looks for it), unless that version is already there.
# Builds from source with `go install` (about 80 s the first time): needs Go 1.21 or newer.
#
# Usage: bash scripts/ci/install-versitygw.sh
# Keep VERSION in step with VERSITYGW_VERSION in packages/testkit/src/internal/host.ts.
set -euo pipefail

VERSION=v1.8.0
bin="${FOLIO_TOOLS_DIR:-$HOME/.cache/folio}/bin"
stamp="$bin/versitygw.version" # `versitygw --version` says "git" for a go-install build, so we record it here

if [ -x "$bin/versitygw" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$VERSION" ]; then
  echo "versitygw $VERSION: already in $bin"
  exit 0
fi

go=$(command -v go || echo /usr/local/go/bin/go)
if [ ! -x "$go" ]; then
  echo "install-versitygw: Go is needed to build versitygw: see https://go.dev/doc/install" >&2
  exit 1
fi

mkdir -p "$bin"
GOBIN="$bin" "$go" install "github.com/versity/versitygw/cmd/versitygw@$VERSION"
echo "$VERSION" >"$stamp"
echo "versitygw $VERSION: installed in $bin"
