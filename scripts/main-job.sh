#!/usr/bin/env bash
# The main job on a fresh machine: install dependencies if needed, start the collector on its
# embedded store, enroll the local agent, send one real report of this machine, print the
# indicator report and where the collector listens. Re-running reuses the running collector.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEMO=${POSTURE_DEMO_DIR:-$ROOT/.posture/demo}
PORT=${POSTURE_PORT:-8080}
mkdir -p "$DEMO"

[ -d node_modules/better-sqlite3 ] || npm install --no-audit --no-fund
npm run --silent build

SECRET_FILE=$DEMO/enrollment-secret
[ -f "$SECRET_FILE" ] || (umask 077; node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))' > "$SECRET_FILE")
SECRET=$(cat "$SECRET_FILE")

cat > "$DEMO/collector.yaml" <<YAML
listen: { host: "::", port: $PORT }
dataDir: $DEMO/collector-data
registryFile: $ROOT/deploy/config/systems.example.yaml
units:
  - { id: TTCNTT, name: "Trung tâm Công nghệ thông tin", enrollmentSecret: "$SECRET" }
  - { id: TCDBVN, name: "Tổng cục Đường bộ Việt Nam" }
  - { id: CHHVN, name: "Cục Hàng hải Việt Nam" }
YAML
cat > "$DEMO/agent.yaml" <<YAML
collector: { url: "http://127.0.0.1:$PORT" }
unit: TTCNTT
systems: [bgtvt-cong-ttdt]
stateDir: $DEMO/agent-state
YAML

POSTURE="node $ROOT/collector/bin/posture.js -c $DEMO/collector.yaml"
AGENT="node $ROOT/agent/bin/posture-agent.js -c $DEMO/agent.yaml"
PIDFILE=$DEMO/collector.pid
healthy() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$PORT/healthz"; }
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && healthy; then
  echo "collector already running (pid $(cat "$PIDFILE"))"
else
  # A collector of an earlier run may still be shutting down: let it finish first.
  if [ -f "$PIDFILE" ]; then
    for _ in $(seq 1 100); do kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break; sleep 0.1; done
  fi
  nohup $POSTURE serve >> "$DEMO/collector.log" 2>&1 &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 100); do
    healthy && break
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { echo "collector failed to start; log:"; tail -20 "$DEMO/collector.log"; exit 1; }
    sleep 0.1
  done
  healthy || { echo "collector did not answer /healthz within 10 s; log:"; tail -20 "$DEMO/collector.log"; exit 1; }
fi

[ -f "$DEMO/agent-state/credential.json" ] || $AGENT enroll --secret "$SECRET"
$AGENT collect --once
$AGENT run --once
echo
$POSTURE report
# A viewer token for the read APIs and the printable report (made once, kept in the demo dir).
TOKEN_FILE=$DEMO/viewer-token
[ -s "$TOKEN_FILE" ] || (umask 077; $POSTURE tokens create demo-viewer --role viewer 2>/dev/null | tail -1 > "$TOKEN_FILE")
TOKEN=$(cat "$TOKEN_FILE")
echo
echo "Collector listening on http://127.0.0.1:$PORT and http://[::1]:$PORT (pid $(cat "$PIDFILE"); stop it with: kill $(cat "$PIDFILE"))"
echo "  report:  curl -H 'Authorization: Bearer $TOKEN' 'http://127.0.0.1:$PORT/api/v1/report?format=markdown'"
echo "  printable report (Vietnamese; ?lang=en for English): http://127.0.0.1:$PORT/report  (user: any, password: the token in $TOKEN_FILE)"
echo "  log:     $DEMO/collector.log     state: $DEMO/collector-data"
