#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing: a PostgreSQL server
# (the suite starts a throwaway cluster of its own), wrk (the HTTP load generator of the
# benchmarks' tiny runs) and Chromium (the browser tests in tests/e2e drive it through Playwright,
# which is never allowed to download a browser of its own). Needs root or sudo on a fresh machine.
# When everything is present this costs a few `command -v` lookups and no package manager call.
set -euo pipefail
missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql-15)
command -v wrk >/dev/null || missing+=(wrk)
command -v chromium >/dev/null || [[ -x ${ACCORD_CHROMIUM:-} ]] || missing+=(chromium)
if ((${#missing[@]})); then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  echo "Installing ${missing[*]} from Debian's packages…"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
