# Sourced by run.sh and test.sh: installs what is missing, quietly when nothing is.
# Usage: ensure_packages PACKAGE... (Debian package names)

set -euo pipefail

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    say "The .NET 10 SDK is not installed. Install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and run this again."
    exit 1
  fi
}

ensure_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0

  say "Installing ${missing[*]}"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >/dev/null
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# coturn is run by the AppHost as its own process. Debian starts the package's system-wide turnserver on install,
# which would hold port 3478: when this script installs coturn, it stops and disables that service.
ensure_coturn() {
  dpkg-query -W -f='${Status}' coturn 2>/dev/null | grep -q "install ok installed" && return 0
  ensure_packages coturn
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" systemctl disable --now coturn >/dev/null 2>&1 || true
  fi
}

restore_solution() {
  dotnet restore AudioStream.sln --verbosity quiet >/dev/null || dotnet restore AudioStream.sln --verbosity minimal
}
