#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing: a PostgreSQL server
# (the suite starts a throwaway cluster of its own) and wrk (the HTTP load generator of the
# benchmarks' tiny runs). Needs root or sudo on a fresh machine.
set -euo pipefail
missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql-15)
command -v wrk >/dev/null || missing+=(wrk)
if ((${#missing[@]})); then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  echo "Installing ${missing[*]} from Debian's packages…"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
