#!/usr/bin/env bash
# Smoke-test a built crampbot image (Dockerfile): it starts, /api/health says ok, one question is
# answered, the image's HEALTHCHECK reports healthy, a stop (SIGTERM) ends it cleanly within the
# timeout, and the exchange asked was written to the store's volume before it ended.
# Run by hand, not by `make test`; docs/deploy.md has the figures of the last run.
#
#   scripts/container_smoke.sh [IMAGE]          (default localhost/crampbot:test)
#
# ENGINE=podman|docker (default: podman if installed), PORT (host port, default 18000),
# RUN_FLAGS (extra flags for every `run`, such as the ones docs/deploy.md needed on its test machine).
set -euo pipefail

IMAGE=${1:-localhost/crampbot:test}
ENGINE=${ENGINE:-$(command -v podman >/dev/null && echo podman || echo docker)}
PORT=${PORT:-18000}
STOP_TIMEOUT=30
read -r -a FLAGS <<<"${RUN_FLAGS:-}"
NAME=crampbot-smoke-$$
VOLUME=crampbot-smoke-data-$$
BASE=http://127.0.0.1:$PORT

cleanup() {
  "$ENGINE" rm -f "$NAME" >/dev/null 2>&1 || true
  "$ENGINE" volume rm -f "$VOLUME" >/dev/null 2>&1 || true
}
trap cleanup EXIT
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
fail() { echo "FAIL: $*" >&2; "$ENGINE" logs "$NAME" 2>&1 | tail -20 >&2 || true; exit 1; }

"$ENGINE" volume create "$VOLUME" >/dev/null
started=$EPOCHREALTIME
"$ENGINE" run -d --name "$NAME" "${FLAGS[@]}" -p "127.0.0.1:$PORT:8000" -v "$VOLUME:/data" \
  --health-interval 2s "$IMAGE" >/dev/null

# 1. /api/health answers ok (up to 60 s for the knowledge to load)
health=""
for _ in $(seq 120); do
  health=$(python3 -c "import urllib.request as u; print(u.urlopen('$BASE/api/health', timeout=2).read().decode())" \
           2>/dev/null) && break
  sleep 0.5
done
[[ $health == *'"status":"ok"'* ]] || fail "no healthy /api/health within 60 s"
echo "health after $(since "$started") s: $health"

# 2. one question answered from a passage
python3 - "$BASE" <<'EOF' || fail "/api/ask"
import json, sys, urllib.request
body = json.dumps({"question": "How do I stop a leg cramp right now?", "session_id": None}).encode()
request = urllib.request.Request(sys.argv[1] + "/api/ask", body, {"Content-Type": "application/json"})
reply = json.load(urllib.request.urlopen(request, timeout=10))
print(f"ask: kind={reply['kind']} matched={reply['matched']} passage={reply['passage']['id']}")
assert reply["kind"] == "answer" and reply["matched"], reply
EOF

# 3. the image's HEALTHCHECK (podman without systemd runs no timers: run the check once by hand)
if [[ $ENGINE == podman ]]; then
  "$ENGINE" healthcheck run "$NAME" 2>/dev/null || fail "HEALTHCHECK failed"
fi
status=""
for _ in $(seq 30); do
  status=$("$ENGINE" inspect -f '{{.State.Health.Status}}' "$NAME" 2>/dev/null)
  [[ $status == healthy ]] && break
  sleep 1
done
[[ $status == healthy ]] || fail "HEALTHCHECK status '$status'"
echo "HEALTHCHECK: $status"

# 4. a graceful stop: SIGTERM, the store's queue written, exit 0 well within the timeout
before=$EPOCHREALTIME
"$ENGINE" stop -t "$STOP_TIMEOUT" "$NAME" >/dev/null 2>&1
took=$(since "$before")
code=$("$ENGINE" inspect -f '{{.State.ExitCode}}' "$NAME")
echo "stop: exit $code after $took s (timeout $STOP_TIMEOUT s)"
[[ $code == 0 ]] || fail "exit code $code"
awk -v t="$took" -v m="$STOP_TIMEOUT" 'BEGIN { exit !(t < m) }' || fail "stop took the whole timeout (killed)"
"$ENGINE" logs "$NAME" 2>&1 | grep -q "Finished server process" || fail "no 'Finished server process' in the log"

# 5. the question asked was stored before the process ended
stored=$("$ENGINE" run --rm "${FLAGS[@]}" -v "$VOLUME:/data" "$IMAGE" crampbot report --json 2>/dev/null |
         python3 -c 'import json, sys; print(json.load(sys.stdin)["exchanges"])')
echo "stored exchanges: $stored"
[[ $stored -ge 1 ]] || fail "the exchange was not stored"
echo "PASS: $IMAGE"
