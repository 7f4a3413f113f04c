#!/usr/bin/env bash
# A curl walk-through of the AtonixCorp foundation: health, catalogue, users and tokens, VPCs, subnets,
# instances and their state machine, ETags, idempotency, tenancy, in-use deletes, the audit log and events.
#
# Run it against a running server with an admin token:
#
#   npm start                                  # prints the admin token once (or set ATONIX_ADMIN_TOKEN)
#   ATONIX_TOKEN=<admin token> examples/rest/walkthrough.sh
#
#   BASE_URL     the API (default http://127.0.0.1:8000)
#   ATONIX_TOKEN an admin bearer token (required)
#
# Needs bash, curl and node (node extracts fields from JSON; with jq you would write `jq -r .id`).
# Every call states the status it expects; anything else stops the script with the response shown.
# It creates what it uses under unique names and deletes it all again, so it can run repeatedly.
set -euo pipefail

BASE_URL="${BASE_URL:-http://127.0.0.1:8000}"
BASE_URL="${BASE_URL%/}"
ADMIN="${ATONIX_TOKEN:?set ATONIX_TOKEN to an admin token (npm start prints one, or set ATONIX_ADMIN_TOKEN on the server)}"
RUN="$(date +%s)$$"                    # a suffix that keeps names unique across runs
TMP="$(mktemp -d)"
WS_PID=""
cleanup() {
  [ -n "$WS_PID" ] && kill "$WS_PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note() { printf '   %s\n' "$*"; }
fail() { printf '\n\033[31mFAILED: %s\033[0m\n' "$*" >&2; exit 1; }

# call TOKEN METHOD PATH EXPECTED_STATUS [JSON_BODY] [extra curl arguments...]
# Sets BODY (the response body), STATUS and HDRS (a file holding the response headers).
# TOKEN "-" sends no Authorization header.
call() {
  local token="$1" method="$2" path="$3" expected="$4" data="${5:-}"
  shift 4; [ $# -gt 0 ] && shift
  local args=(-sS -X "$method" -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}')
  [ "$token" != "-" ] && args+=(-H "Authorization: Bearer $token")
  if [ -n "$data" ]; then
    # application/json unless the caller passes its own Content-Type (a PATCH may send merge-patch+json)
    [[ " $* " == *"Content-Type:"* ]] || args+=(-H 'Content-Type: application/json')
    args+=(--data "$data")
  fi
  STATUS="$(curl "${args[@]}" "$@" "$BASE_URL$path")" || fail "curl could not reach $BASE_URL$path"
  BODY="$(cat "$TMP/body")"
  HDRS="$TMP/headers"
  printf '   %-6s %-62s -> %s' "$method" "$path" "$STATUS"
  if [ "$STATUS" != "$expected" ]; then
    printf '\n'
    fail "expected $expected, got $STATUS: $BODY"
  fi
  printf '\n'
}

# json EXPR: evaluates a JavaScript expression over the parsed response body `j` (strings print raw).
#   json 'j.items[0].id'   ~   jq -r '.items[0].id'
json() {
  printf '%s' "$BODY" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const v = new Function("j", "return (" + process.argv[1] + ")")(JSON.parse(s));
      process.stdout.write(v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
    });' "$1"
}

# header NAME: a response header of the last call.
header() { grep -i "^$1:" "$HDRS" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

# expect WHAT ACTUAL WANTED
expect() { [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"; note "$1: $2"; }

# wait_for TOKEN PATH EXPR VALUE: polls GET PATH until EXPR (over the body) equals VALUE (up to ~30 s).
wait_for() {
  local i v
  for i in $(seq 1 60); do
    call "$1" GET "$2" 200 >/dev/null
    v="$(json "$3")"
    if [ "$v" = "$4" ]; then note "$3 = $v after $i poll(s)"; return 0; fi
    sleep 0.5
  done
  fail "$2: $3 is still '$v', expected '$4'"
}

# ---------------------------------------------------------------------------------------------------------
# 1. Health: /healthz (the process lives) and /readyz (the database answers) need no token.
# ---------------------------------------------------------------------------------------------------------
step "1. Health"
call - GET /healthz 200
call - GET /readyz 200
call - GET /api/compute/instances 401          # everything else needs `Authorization: Bearer <token>`
note "$(json 'j.code + ": " + j.detail')"

# ---------------------------------------------------------------------------------------------------------
# 2. The catalogue: flavors (machine sizes) and images, readable by every user. Lists are
#    { items, next_cursor }; `?name=` filters exactly.
# ---------------------------------------------------------------------------------------------------------
step "2. Flavors and images"
call "$ADMIN" GET '/api/compute/flavors?limit=100' 200
note "flavors: $(json 'j.items.map((f) => `${f.name} (${f.vcpus} vCPU, ${f.ram_mb} MB)`).join(", ")')"
call "$ADMIN" GET '/api/compute/flavors?name=t1.small' 200
FLAVOR="$(json 'j.items[0].id')"
call "$ADMIN" GET '/api/compute/images?limit=100' 200
note "images: $(json 'j.items.map((i) => i.name).join(", ")')"
call "$ADMIN" GET '/api/compute/images?name=debian-12' 200
IMAGE="$(json 'j.items[0].id')"
note "using flavor $FLAVOR (t1.small) and image $IMAGE (debian-12)"

# ---------------------------------------------------------------------------------------------------------
# 3. Identity (admin only): create a user, then issue them a token. The secret is in this response only;
#    the server keeps a hash.
# ---------------------------------------------------------------------------------------------------------
step "3. A user and a token"
call "$ADMIN" POST /api/security/users 201 "{\"name\":\"walkthrough-$RUN\",\"email\":\"walkthrough-$RUN@example.com\"}"
USER_ID="$(json 'j.id')"
note "user $USER_ID, Location: $(header Location)"
call "$ADMIN" POST "/api/security/users/$USER_ID/tokens" 201 '{"name":"walkthrough"}'
USER_TOKEN="$(json 'j.token')"
note "token $(json 'j.id') (prefix $(json 'j.prefix')); the secret is shown once"
call "$USER_TOKEN" GET "/api/security/users/$USER_ID" 200   # a user may read themself
call "$USER_TOKEN" GET /api/security/users 403              # but listing users is for admins

# ---------------------------------------------------------------------------------------------------------
# Events: changes stream over the WebSocket /api/events (the caller's own resources; admins see all;
# `?kinds=instance,vpc` narrows it; browsers pass `?token=` since they cannot set headers). To watch by hand:
#
#   npx wscat -c "ws://127.0.0.1:8000/api/events?kinds=instance" -H "Authorization: Bearer $ATONIX_TOKEN"
#
# or with the `ws` package this repository already depends on (run from the repository root):
#
#   node -e 'const ws = new (require("ws"))(process.argv[1], { headers: { Authorization: "Bearer " + process.env.ATONIX_TOKEN } });
#            ws.on("message", (m) => console.log(String(m)))' "ws://127.0.0.1:8000/api/events"
#
# Here a listener like that runs in the background during the walk-through when `ws` can be found.
# ---------------------------------------------------------------------------------------------------------
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WS_URL="${BASE_URL/#http/ws}/api/events?kinds=instance,vpc,subnet"
if (cd "$REPO_ROOT" && node -e 'require.resolve("ws")' 2>/dev/null); then
  (cd "$REPO_ROOT" && exec node -e '
    const ws = new (require("ws"))(process.argv[1], { headers: { Authorization: "Bearer " + process.argv[2] } });
    ws.on("message", (m) => console.log(String(m)));
    ws.on("error", (e) => { console.error(String(e)); process.exit(1); });' "$WS_URL" "$ADMIN" > "$TMP/events" 2>&1) &
  WS_PID=$!
  for _ in $(seq 1 50); do grep -q subscribed "$TMP/events" 2>/dev/null && break; sleep 0.1; done
  grep -q subscribed "$TMP/events" || fail "the event stream did not subscribe: $(cat "$TMP/events")"
  note "listening on $WS_URL in the background (pid $WS_PID)"
else
  note "the ws package is not resolvable from $REPO_ROOT; skipping the live event stream"
fi

# ---------------------------------------------------------------------------------------------------------
# 4. A VPC: asynchronous, so the create answers 202 with state `pending`; a job makes it `available`.
# ---------------------------------------------------------------------------------------------------------
step "4. A VPC (202 pending -> available)"
call "$ADMIN" POST /api/networking/vpcs 202 "{\"name\":\"walkthrough-$RUN\",\"cidr_block\":\"10.42.0.0/16\"}"
VPC="$(json 'j.id')"
expect "state" "$(json 'j.state')" pending
wait_for "$ADMIN" "/api/networking/vpcs/$VPC" 'j.state' available

# ---------------------------------------------------------------------------------------------------------
# 5. Subnets: inside the VPC's CIDR and never overlapping a sibling. Five addresses of each are reserved.
# ---------------------------------------------------------------------------------------------------------
step "5. Two subnets, an overlap (409) and one outside the VPC (422)"
call "$ADMIN" POST "/api/networking/vpcs/$VPC/subnets" 201 '{"name":"web","cidr_block":"10.42.1.0/24"}'
SUBNET_A="$(json 'j.id')"
note "$SUBNET_A 10.42.1.0/24 in $(json 'j.availability_zone'), available_ip_count $(json 'j.available_ip_count')"
call "$ADMIN" POST "/api/networking/vpcs/$VPC/subnets" 201 '{"name":"db","cidr_block":"10.42.2.0/24","availability_zone":"us-east-1b"}'
SUBNET_B="$(json 'j.id')"
note "$SUBNET_B 10.42.2.0/24 in $(json 'j.availability_zone')"
call "$ADMIN" POST "/api/networking/vpcs/$VPC/subnets" 409 '{"name":"clash","cidr_block":"10.42.1.128/25"}'
note "$(json 'j.code'): $(json 'j.detail')"
call "$ADMIN" POST "/api/networking/vpcs/$VPC/subnets" 422 '{"name":"outside","cidr_block":"10.99.0.0/24"}'
note "$(json 'j.code'): $(json 'j.errors[0].pointer + " " + j.errors[0].detail')"
call "$ADMIN" GET "/api/networking/vpcs/$VPC/subnets" 200
expect "subnets in the VPC" "$(json 'j.items.length')" 2

# ---------------------------------------------------------------------------------------------------------
# 6. An instance in a subnet: 202 `building`, with its private IP already taken from the subnet; the
#    provisioning job places it against the region's capacity and moves it to `running`.
# ---------------------------------------------------------------------------------------------------------
step "6. An instance (202 building -> running)"
call "$ADMIN" POST /api/compute/instances 202 \
  "{\"name\":\"web-1\",\"flavor_id\":\"$FLAVOR\",\"image_id\":\"$IMAGE\",\"subnet_id\":\"$SUBNET_A\",\"metadata\":{\"role\":\"web\"}}"
INSTANCE="$(json 'j.id')"
expect "status" "$(json 'j.status')" building
note "private_ip $(json 'j.private_ip'), Location: $(header Location)"
wait_for "$ADMIN" "/api/compute/instances/$INSTANCE" 'j.status' running
call "$ADMIN" GET "/api/networking/subnets/$SUBNET_A" 200
expect "available_ip_count of $SUBNET_A (256 - 5 reserved - 1 taken)" "$(json 'j.available_ip_count')" 250

# ---------------------------------------------------------------------------------------------------------
# 7. The state machine: stop and start are actions; an illegal one is a 409 naming the current status
#    and the statuses that allow it.
# ---------------------------------------------------------------------------------------------------------
step "7. Stop, start, and an illegal transition (409)"
call "$ADMIN" POST "/api/compute/instances/$INSTANCE/stop" 200
expect "status" "$(json 'j.status')" stopped
call "$ADMIN" POST "/api/compute/instances/$INSTANCE/start" 200
expect "status" "$(json 'j.status')" running
call "$ADMIN" POST "/api/compute/instances/$INSTANCE/start" 409
note "$(json 'j.code'): $(json 'j.detail')"

# ---------------------------------------------------------------------------------------------------------
# 8. Optimistic concurrency: every representation carries an ETag; PATCH (a JSON merge patch) with
#    If-Match applies only if nobody changed the resource since. A stale ETag is a 412.
# ---------------------------------------------------------------------------------------------------------
step "8. PATCH with If-Match, and a stale ETag (412)"
call "$ADMIN" GET "/api/compute/instances/$INSTANCE" 200
ETAG="$(header ETag)"
note "ETag $ETAG"
call "$ADMIN" PATCH "/api/compute/instances/$INSTANCE" 200 '{"name":"web-1-renamed","metadata":{"role":"web","tier":"frontend"}}' \
  -H "If-Match: $ETAG" -H 'Content-Type: application/merge-patch+json'
note "name $(json 'j.name'), metadata $(json 'j.metadata'), new ETag $(header ETag)"
call "$ADMIN" PATCH "/api/compute/instances/$INSTANCE" 412 '{"name":"lost-update"}' \
  -H "If-Match: $ETAG" -H 'Content-Type: application/merge-patch+json'
note "$(json 'j.code'): $(json 'j.detail')"
call "$ADMIN" PATCH "/api/compute/instances/$INSTANCE" 422 '{"flavor_id":"flv-other"}' -H 'Content-Type: application/merge-patch+json'
note "$(json 'j.code'): $(json 'j.detail')"

# ---------------------------------------------------------------------------------------------------------
# 9. Idempotency-Key: a retried POST returns the first response (and creates nothing new); the same key
#    with a different body is refused.
# ---------------------------------------------------------------------------------------------------------
step "9. Idempotency-Key replay"
KEY="walkthrough-$RUN-db-1"
DB_BODY="{\"name\":\"db-1\",\"flavor_id\":\"$FLAVOR\",\"image_id\":\"$IMAGE\",\"subnet_id\":\"$SUBNET_B\"}"
call "$ADMIN" POST /api/compute/instances 202 "$DB_BODY" -H "Idempotency-Key: $KEY"
INSTANCE_B="$(json 'j.id')"
call "$ADMIN" POST /api/compute/instances 202 "$DB_BODY" -H "Idempotency-Key: $KEY"
expect "replayed id" "$(json 'j.id')" "$INSTANCE_B"
expect "Idempotent-Replayed" "$(header Idempotent-Replayed)" true
call "$ADMIN" POST /api/compute/instances 422 "${DB_BODY/db-1/db-2}" -H "Idempotency-Key: $KEY"
note "$(json 'j.code'): $(json 'j.detail')"
call "$ADMIN" GET "/api/compute/instances?subnet_id=$SUBNET_B" 200
expect "instances in $SUBNET_B" "$(json 'j.items.length')" 1

# ---------------------------------------------------------------------------------------------------------
# 10. Tenancy: another owner's resource is a 404, never a 403 that would confirm it exists.
# ---------------------------------------------------------------------------------------------------------
step "10. Tenant isolation"
call "$USER_TOKEN" GET "/api/compute/instances/$INSTANCE" 404
note "$(json 'j.code'): $(json 'j.detail')"
call "$USER_TOKEN" DELETE "/api/networking/vpcs/$VPC" 404
call "$USER_TOKEN" GET /api/compute/instances 200
expect "instances the new user sees" "$(json 'j.items.length')" 0
call "$USER_TOKEN" POST /api/compute/instances 422 "{\"name\":\"sneaky\",\"flavor_id\":\"$FLAVOR\",\"image_id\":\"$IMAGE\",\"subnet_id\":\"$SUBNET_A\"}"
note "$(json 'j.code'): $(json 'j.detail')   (someone else's subnet does not exist for this user)"

# ---------------------------------------------------------------------------------------------------------
# 11. Deleting something still in use is a 409 that names what blocks it.
# ---------------------------------------------------------------------------------------------------------
step "11. In-use deletes (409)"
call "$ADMIN" DELETE "/api/networking/vpcs/$VPC" 409
note "$(json 'j.code'): $(json 'j.detail')"
call "$ADMIN" DELETE "/api/networking/subnets/$SUBNET_A" 409
note "$(json 'j.code'): $(json 'j.detail')"

# ---------------------------------------------------------------------------------------------------------
# 12. Tear down in dependency order: instances, subnets, the VPC, then the user (their tokens go with them).
# ---------------------------------------------------------------------------------------------------------
step "12. Delete everything"
call "$ADMIN" DELETE "/api/compute/instances/$INSTANCE" 204
call "$ADMIN" DELETE "/api/compute/instances/$INSTANCE_B" 204
call "$ADMIN" GET "/api/compute/instances/$INSTANCE" 404
call "$ADMIN" GET "/api/networking/subnets/$SUBNET_A" 200
expect "available_ip_count of $SUBNET_A after the delete" "$(json 'j.available_ip_count')" 251
call "$ADMIN" DELETE "/api/networking/subnets/$SUBNET_A" 204 "" -H "If-Match: $(header ETag)"
call "$ADMIN" DELETE "/api/networking/subnets/$SUBNET_B" 204
call "$ADMIN" DELETE "/api/networking/vpcs/$VPC" 204
call "$ADMIN" DELETE "/api/security/users/$USER_ID" 204
call "$USER_TOKEN" GET "/api/security/users/$USER_ID" 401     # the token went with its user

# ---------------------------------------------------------------------------------------------------------
# 13. The audit log: every mutating call and every refused one, with user, action, resource, outcome,
#     source IP and request id. Admins read everyone's; a user reads their own.
# ---------------------------------------------------------------------------------------------------------
step "13. The audit log of the first instance"
call "$ADMIN" GET "/api/security/audit-logs?resource_id=$INSTANCE&limit=100" 200
printf '%s' "$BODY" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    for (const r of JSON.parse(s).items.reverse()) console.log(`   ${r.timestamp}  ${r.status.padEnd(7)}  ${r.action.padEnd(26)}  ${JSON.stringify(r.details)}`);
  });'
expect "CreateInstance recorded" "$(json 'j.items.some((r) => r.action === "compute:CreateInstance" && r.status === "success")')" true
expect "the 412 recorded as a failure" "$(json 'j.items.some((r) => r.action === "compute:UpdateInstance" && r.status === "failure")')" true
call "$ADMIN" GET "/api/security/audit-logs?resource_type=vpc&action=networking:DeleteVpc&status=failure&limit=5" 200
note "refused VPC deletes on record (newest first): $(json 'j.items.map((r) => r.resource_id + " by " + r.user_id).join(", ")')"

# ---------------------------------------------------------------------------------------------------------
# 14. What the event stream saw.
# ---------------------------------------------------------------------------------------------------------
step "14. Events"
if [ -n "$WS_PID" ]; then
  sleep 0.5
  kill "$WS_PID" 2>/dev/null || true; WS_PID=""
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    for (const e of lines.filter((e) => e.id === process.argv[2])) console.log(`   ${e.at}  ${e.type.padEnd(14)} ${e.kind} ${e.id} ${e.status ?? ""}`);
    console.log(`   (${lines.length - 1} events in all)`);' "$TMP/events" "$INSTANCE"
  grep -q "\"id\":\"$INSTANCE\".*\"type\":\"deleted\"\|\"type\":\"deleted\".*\"id\":\"$INSTANCE\"" "$TMP/events" \
    || fail "the event stream did not report the instance's deletion"
else
  note "skipped (see the comment above step 4 for how to watch /api/events)"
fi

step "Done: the walk-through passed"
