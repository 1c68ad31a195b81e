#!/usr/bin/env bash
# Runs every test: unit, integration (the real AppHost with PostgreSQL, Redis and coturn), browser tests (Chromium)
# and network tests (other devices simulated in network namespaces; they need root).
# Installs what is missing first. Extra arguments go to `dotnet test` (e.g. --filter Foundation).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

ensure_dotnet
ensure_packages postgresql-15 redis-server chromium libnss3-tools nftables iproute2 simple-whip-client gstreamer1.0-plugins-good gcc libc6-dev
ensure_coturn
restore_solution
dotnet build AudioStream.sln --no-restore --verbosity quiet -nologo -clp:ErrorsOnly

export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
export ASPIRE_VERSION_CHECK_DISABLED=true

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# One test assembly at a time: several of them start a whole AppHost or Chromium, too much at once for 2 cores.
dotnet test AudioStream.sln --no-build --nologo -m:1 "$@" 2>&1 | tee "$log" || status=$?

# One plain closing line over every test assembly.
awk '/(Passed|Failed)! +- +Failed: / {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
