#!/usr/bin/env bash
# Runs Debian 12's whip-client (apt-get install simple-whip-client gcc libc6-dev), which otherwise aborts at start:
# it links libsoup2 while libnice pulls libsoup3 in through libgupnp-igd. A stub libgupnp-igd (UPnP port mapping,
# unused by WHIP) is built once into the cache folder and put first on the library path. Arguments go to whip-client.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/audiostream/whip-client"
stub="$cache/libgupnp-igd-1.0.so.4"
source="$(dirname "$(readlink -f "$0")")/gupnp-igd-stub.c"
if [[ ! -f "$stub" || "$source" -nt "$stub" ]]; then
  mkdir -p "$cache"
  gcc -shared -fPIC -Wl,-soname,libgupnp-igd-1.0.so.4 -o "$stub.tmp" "$source"
  mv "$stub.tmp" "$stub"
fi
LD_LIBRARY_PATH="$cache${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec whip-client "$@"
