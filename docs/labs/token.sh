#!/usr/bin/env bash
# Prints a bearer token of Folio's first admin, for the labs' API calls: reads the admin's password from the
# release's Secret and logs in through the API, as lab 1 does by hand. The password goes to curl on standard
# input, never on a command line (where `ps` would show it).
#
# Usage, from the repository's root:  token=$(docs/labs/token.sh)
# Then:                               curl -s -H "authorization: Bearer $token" http://api.folio.localtest.me/v1/auth/me
set -euo pipefail

password=$(kubectl get secret folio-credentials -o jsonpath='{.data.admin-password}' | base64 -d)
# --retry: a lab may ask right after a pod moved; curl retries refused connections and 502/503/504 answers.
answer=$(printf '{"email":"admin@folio.localtest.me","password":"%s"}' "$password" |
  curl -sS --retry 10 --retry-delay 2 --retry-all-errors --max-time 10 \
    -H 'content-type: application/json' --data @- http://api.folio.localtest.me/v1/auth/login)
token=$(printf '%s' "$answer" | grep -o '"token":"[^"]*"' | cut -d'"' -f4)
if [ -z "$token" ]; then
  echo "token.sh: the login failed: $answer" >&2
  exit 1
fi
echo "$token"
