#!/usr/bin/env bash
# Load benchmark of POST /v1/ask on the GENERATE route (the reader/decoder step), with wrk (Debian: apt-get install wrk).
# Starts the built service (app/target/quarkus-app, built when missing) on 127.0.0.1 with a temporary data dir that
# all runs share (the sample corpus is ingested once), once per configuration, and runs wrk at each connection count.
# Prints one row per (configuration, connections): throughput, answered/s, latency over all responses (p50, p99),
# statuses, wrk timeouts, and the mean in-service time of the answered asks (from /q/metrics).
#
#   app/src/test/bench/ask-load.sh                                   # unbounded vs the default bound, 1/4/16/64 connections
#   CONNECTIONS="1 16" DURATION=10s app/src/test/bench/ask-load.sh
#   CONFIGS="mc1=-Dragline.ask.max-concurrent=1 mc4=-Dragline.ask.max-concurrent=4" app/src/test/bench/ask-load.sh
# ENDPOINT=search runs POST /v1/search instead (one sample-corpus query; "served ms" from ragline_search_latency):
#   ENDPOINT=search CONNECTIONS="1 16" CONFIGS="fp32= student=-Dragline.encoder.query-model=embedding/models/bge-small-en-v1.5-query-4l" app/src/test/bench/ask-load.sh
set -euo pipefail
cd "$(dirname "$0")/../../../.."
. bin/java-home.sh
command -v wrk >/dev/null || { echo "wrk is needed (Debian package: wrk)" >&2; exit 1; }
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-"1 4 16 64"}
PORT=${PORT:-18181}
# name=comma-separated JVM options; "unbounded" sets the bound far above any connection count. A name ending in
# "+honour" runs clients that wait Retry-After after a refusal; the others retry at once (wrk's closed loop).
ENDPOINT=${ENDPOINT:-ask}
case "$ENDPOINT" in
  ask) SERIES='ragline_ask_latency_seconds_%s{route="GENERATE"' ;;
  search) SERIES='ragline_search_latency_seconds_%s'
          export RAGLINE_BODY=${RAGLINE_BODY:-'{"query": "how long does a full charge take", "k": 5}'} ;;
  *) echo "ENDPOINT must be ask or search" >&2; exit 1 ;;
esac
CONFIGS=${CONFIGS:-"unbounded=-Dragline.ask.max-concurrent=1000,-Dragline.ask.max-waiting=1000,-Dragline.ask.max-wait=PT10M default= default+honour="}
JAR=app/target/quarkus-app/quarkus-run.jar
[ -f "$JAR" ] || ./mvnw -B -q -DskipTests package -pl app -am
DATA=$(mktemp -d /tmp/ragline-ask-load-XXXXXX)
LUA=app/src/test/bench/ask.lua
URL="http://127.0.0.1:$PORT"
PID=
stop() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=; fi; }
trap 'stop; rm -rf "$DATA"' EXIT

metric() { # sum of a Prometheus series' values whose line matches $1
  curl -s "$URL/q/metrics" | awk -v pat="$1" 'index($0, pat) == 1 { s += $NF } END { printf "%.6f", s + 0 }'
}

printf '%-15s %5s %8s %8s %8s %8s %7s %7s %7s %6s %8s %10s\n' config conns 'req/s' 'ok/s' 'p50 ms' 'p99 ms' 200 429 503 other timeouts 'served ms'
for config in $CONFIGS; do
  name=${config%%=*}; opts=${config#*=}
  client=now; [[ "$name" == *+honour ]] && client=honour
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" ${JAVA_OPTS:--Xmx2g} --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector \
      -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" -Dragline.data-dir="$DATA" -Dragline.kafka.embedded-port=0 \
      ${opts//,/ } -jar "$JAR" >"$DATA/$name.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 180); do curl -sf "$URL/q/health/ready" >/dev/null 2>&1 && break; sleep 1; done
  # The sample corpus must be searchable, or GENERATE would read no passage.
  for _ in $(seq 1 180); do
    curl -s "$URL/v1/search" -H 'content-type: application/json' -d '{"query": "battery range", "k": 1}' | grep -q '"documentId"' && break
    sleep 1
  done
  wrk -t 1 -c 1 -d 5s -s "$LUA" "$URL/v1/$ENDPOINT" >/dev/null # warm-up
  # shellcheck disable=SC2059
  for c in $CONNECTIONS; do
    sum0=$(metric "$(printf "$SERIES" sum)"); n0=$(metric "$(printf "$SERIES" count)")
    line=$(wrk -t "$(( c < 2 ? 1 : 2 ))" -c "$c" -d "$DURATION" --timeout 30s -s "$LUA" "$URL/v1/$ENDPOINT" -- "$client" | grep '^RESULT')
    sum1=$(metric "$(printf "$SERIES" sum)"); n1=$(metric "$(printf "$SERIES" count)")
    served=$(awk -v a="$sum0" -v b="$sum1" -v m="$n0" -v n="$n1" 'BEGIN { printf "%.0f", (n > m) ? (b - a) / (n - m) * 1000 : 0 }')
    get() { echo "$line" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
    printf '%-15s %5s %8s %8s %8s %8s %7s %7s %7s %6s %8s %10s\n' "$name" "$c" "$(get rps)" "$(get ok_rps)" "$(get p50_ms)" \
        "$(get p99_ms)" "$(get s200)" "$(get s429)" "$(get s503)" "$(get other)" "$(get timeouts)" "$served"
  done
  stop
done
