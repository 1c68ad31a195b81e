#!/usr/bin/env bash
# Backup and restore at scale. Starts the app on a scratch data folder, fills it with synthetic data (USERS users,
# FRIENDSHIPS friendships, MINUTES minutes of recordings as one-minute 48 kHz WAVs of noise; default 1000 / 10000 / 60),
# takes a backup while the app runs, stops it, restores into an empty folder, and prints times and sizes.
# Usage: benchmarks/backup-restore.sh [USERS] [FRIENDSHIPS] [MINUTES]   (about 3 minutes and 1 GB of /tmp on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-1000}
friendships=${2:-10000}
minutes=${3:-60}
neighbours=$(( (friendships + users - 1) / users ))
if (( neighbours * 2 >= users )); then echo "at most $(( users * (users - 1) / 2 )) friendships among $users users" >&2; exit 2; fi

work=$(mktemp -d /tmp/audiostream-backup-bench.XXXXXX)
chmod 755 "$work" # the postgres user must reach its data folder, or it moves under /var/lib/audiostream
app=
cleanup() {
  if [[ -n $app ]] && kill -0 "$app" 2>/dev/null; then kill -TERM "$app"; wait "$app" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Ports of its own, so it runs beside a developer's ./run.sh.
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export DASHBOARD_URL=http://localhost:$(port) ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:$(port)
export ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:$(port) GATEWAY_PORT=0
./run.sh --DataRoot="$work/data" --DcpPublisher:RandomizePorts=true >"$work/app.log" 2>&1 &
app=$!

# The app's PostgreSQL: its port from postmaster.pid, its password from the AppHost's user secrets (environment only).
pid_file=$work/data/postgres/postmaster.pid
PGPASSWORD=$(python3 -c 'import json, os; print(json.load(open(os.path.expanduser("~/.microsoft/usersecrets/audiostream-apphost/secrets.json"), encoding="utf-8-sig"))["Parameters:postgres-password"])' 2>/dev/null || true)
export PGPASSWORD
sql() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(sed -n 4p "$pid_file")" -U postgres -d "$1" -c "$2"; }
echo "waiting for the app's schema (log: $work/app.log)" >&2
for attempt in $(seq 301); do
  (( attempt <= 300 )) || { echo "the app did not come up in 5 minutes" >&2; tail -20 "$work/app.log" >&2; exit 1; }
  [[ -z $PGPASSWORD ]] && PGPASSWORD=$(python3 -c 'import json, os; print(json.load(open(os.path.expanduser("~/.microsoft/usersecrets/audiostream-apphost/secrets.json"), encoding="utf-8-sig"))["Parameters:postgres-password"])' 2>/dev/null || true)
  if [[ -f $pid_file ]] && sql recordingdb 'SELECT 1 FROM recordings LIMIT 0' &>/dev/null \
     && sql socialdb 'SELECT 1 FROM friendships LIMIT 0' &>/dev/null && sql identitydb 'SELECT 1 FROM users LIMIT 0' &>/dev/null; then
    break
  fi
  kill -0 "$app" 2>/dev/null || { tail -20 "$work/app.log" >&2; exit 1; }
  sleep 1
done

# Synthetic people: user i is friends with the next $neighbours users around a ring (both rows, as SocialService stores them).
id="md5('bench-' || i)::uuid"
sql identitydb "INSERT INTO users (\"Id\", \"CreatedAt\", \"Email\", \"NormalizedUserName\", \"PasswordHash\", \"UserName\")
  SELECT $id, now(), 'bench' || i || '@example.com', 'BENCH' || i, 'AQAAAAIAAYagAAAAE' || repeat(md5(i::text), 2), 'bench' || i
  FROM generate_series(1, $users) i"
sql socialdb "INSERT INTO members (\"Id\", \"NormalizedUserName\", \"UserName\") SELECT $id, 'BENCH' || i, 'bench' || i FROM generate_series(1, $users) i"
sql socialdb "INSERT INTO friendships (\"UserId\", \"FriendId\", \"Since\")
  SELECT w.u, w.f, now() FROM (SELECT md5('bench-' || i)::uuid x, md5('bench-' || ((i + k - 1) % $users + 1))::uuid y
    FROM generate_series(1, $users) i, generate_series(1, $neighbours) k LIMIT $friendships) p,
  LATERAL (VALUES (p.x, p.y), (p.y, p.x)) AS w(u, f)"

# Recordings: one a minute, each a 44-byte WAV header and 60 s of 48 kHz mono 16-bit noise (audio does not compress).
recordings=$work/data/recordings
mkdir -p "$recordings"
python3 - "$recordings" "$minutes" "$users" <<'EOF' >"$work/recordings.sql"
import hashlib, os, struct, sys, uuid
folder, minutes, users = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = 48_000 * 2 * 60
for n in range(minutes):
    rid = uuid.UUID(bytes=os.urandom(16), version=4)
    i = n % users + 1
    with open(os.path.join(folder, f"{rid}.wav"), "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 36 + data) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 48_000, 96_000, 2, 16)
                + b"data" + struct.pack("<I", data) + os.urandom(data))
    print(f"INSERT INTO recordings (\"Id\", \"CreatedAt\", \"Denoise\", \"DurationSeconds\", \"EndedAt\", \"HasOriginal\", \"OwnerId\", "
          f"\"OwnerName\", \"SampleRate\", \"SilenceSeconds\", \"SizeBytes\", \"Status\", \"Title\") VALUES ('{rid}', now(), false, 60, now(), "
          f"false, '{uuid.UUID(hashlib.md5(f'bench-{i}'.encode()).hexdigest())}', 'bench{i}', 48000, 0, {44 + data}, 'Complete', 'minute {n}');")
EOF
psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(sed -n 4p "$pid_file")" -U postgres -d recordingdb -f "$work/recordings.sql"
sql postgres CHECKPOINT

# The verbs run as ./run.sh runs them (Development: the same user secrets), without its build step in the timing.
apphost=AppHost/bin/${CONFIGURATION:-Debug}/net10.0/AppHost
export DOTNET_ENVIRONMENT=Development
size() { du -sb "$1" | cut -f1; }
mib() { python3 -c "print(f'{$1 / 2**20:.1f} MiB')"; }
seconds() { python3 -c "import time; print(f'{time.monotonic() - $1:.1f} s')"; }
now() { python3 -c 'import time; print(time.monotonic())'; }

start=$(now)
backup=$("$apphost" backup "$work/backups" --DataRoot="$work/data")
backup_time=$(seconds "$start")

kill -TERM "$app"; wait "$app" || true; app=

start=$(now)
"$apphost" restore "$backup" --DataRoot="$work/restored" 2>"$work/restore.log" || { cat "$work/restore.log" >&2; exit 1; }
restore_time=$(seconds "$start")

dumps=$(size "$backup/databases")
echo "$users users, $(( friendships )) friendships, $minutes min of recordings"
echo "backup (app running): $backup_time; $(mib "$(size "$backup")") in all, dumps $(mib "$dumps"), recordings $(mib "$(size "$backup/recordings")")"
echo "restore (checks every SHA-256, initdb, pg_restore, copy): $restore_time; data folder afterwards $(mib "$(size "$work/restored")")"
