#!/usr/bin/env bash
# Request latency through the gateway under a short load: login (password hashing included) and the friends list.
# Needs a running app (./run.sh) and wrk (apt-get install wrk). Usage: benchmarks/gateway-latency.sh [BASE_URL] [SECONDS]
set -euo pipefail
base=${1:-http://localhost:8080}
seconds=${2:-10}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }

user="bench_$(date +%s)_$RANDOM"
password="benchmark password"
jar=$(mktemp)
script=$(mktemp --suffix .lua)
trap 'rm -f "$jar" "$script"' EXIT

curl -sf -c "$jar" -H 'content-type: application/json' \
  -d "{\"username\":\"$user\",\"email\":\"$user@example.com\",\"password\":\"$password\"}" "$base/api/identity/register" >/dev/null
cookie=$(awk '$6 == "audiostream_session" {print $7}' "$jar")

cat > "$script" <<LUA
wrk.method = "POST"
wrk.body = '{"username":"$user","password":"$password"}'
wrk.headers["Content-Type"] = "application/json"
LUA

echo "== POST /api/identity/login (4 connections, ${seconds}s)"
wrk -t2 -c4 -d"${seconds}s" --latency -s "$script" "$base/api/identity/login" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx"
echo "== GET /api/social/friends (16 connections, ${seconds}s)"
wrk -t2 -c16 -d"${seconds}s" --latency -H "Cookie: audiostream_session=$cookie" "$base/api/social/friends" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx"
echo "== GET /health of the gateway itself (16 connections, ${seconds}s)"
wrk -t2 -c16 -d"${seconds}s" --latency "$base/health" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx"
