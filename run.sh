#!/usr/bin/env bash
# Starts everything: PostgreSQL, Redis and every AudioStream service under the Aspire AppHost.
# Installs what is missing first. Ctrl-C (or SIGTERM) stops it all.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

ensure_dotnet
ensure_packages postgresql-15 redis-server
ensure_coturn
restore_solution
# CONFIGURATION=Release ./run.sh builds and runs every service optimized (what the benchmarks measure).
configuration=${CONFIGURATION:-Debug}
dotnet build AppHost/AppHost.csproj -c "$configuration" --no-restore --verbosity quiet -nologo -clp:ErrorsOnly

# Production by default: problem details carry no stack traces. ASPNETCORE_ENVIRONMENT=Development ./run.sh for
# developers (detailed errors); the AppHost passes its environment on to every service.
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production}
export DOTNET_ENVIRONMENT=$ASPNETCORE_ENVIRONMENT
export ASPNETCORE_URLS=${DASHBOARD_URL:-http://localhost:15080}
export ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=${ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL:-http://localhost:19080}
export ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=${ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL:-http://localhost:20080}
# No developer certificate is assumed: the dashboard listens on localhost only; the app's HTTPS uses its own certificate.
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
export ASPIRE_VERSION_CHECK_DISABLED=true

# ./run.sh backup [DIR] | ./run.sh restore BACKUP [--force]: the AppHost's own verbs (README, "Backups"), then exit.
# After the exports: the same environment, so the same user secrets (the PostgreSQL password) as the app.
case "${1:-}" in
  backup|restore) exec "AppHost/bin/$configuration/net10.0/AppHost" "$@" ;;
esac

say "Starting AudioStream: app at http://localhost:${GATEWAY_PORT:-8080} and https://<any address of this machine>:${GATEWAY_HTTPS_PORT:-8443} (trust /ca.crt, see /install-ca), dashboard link (with its login token) below"
# exec: the AppHost receives Ctrl-C/SIGTERM itself and stops every process it started.
exec "AppHost/bin/$configuration/net10.0/AppHost" --Gateway:Port="${GATEWAY_PORT:-8080}" --Gateway:HttpsPort="${GATEWAY_HTTPS_PORT:-8443}" "$@"
