#!/bin/sh
# SPDX-License-Identifier: MIT
# Profiles with syntax errors: message with file and line, exit 3, nothing
# changed; the vault setting dispute.profile picks the default profile.
. "$(dirname "$0")/../lib.sh"
export CASEFILE_NOW='2025-05-04 12:00'
cf init
printf 'name = bad\nbuyer_escalation_hours = 48\nmerchant_evidence_hours = soon\n' >bad.conf
cf dispute open A1 --reason quality --profile "$SCRATCH/bad.conf"
expect_rc 3 "bad profile refused"
expect_err "profile '$SCRATCH/bad.conf': line 3: bad hours 'soon'" "file and line named"
check "nothing stored" test "$(sql 'SELECT count(*) FROM disputes')" = 0

printf '# x\n\nname = y\nimages = 9\n' >typo.conf
cf due --profile "$SCRATCH/typo.conf"
expect_rc 3 "unknown key"
expect_err "line 4: unknown key 'images'" "typo named with its line"

printf 'name = z\nbuyer_escalation_hours 48\n' >noeq.conf
cf due --profile "$SCRATCH/noeq.conf"
expect_rc 3 "missing '='"
expect_err "line 2: expected 'key = value', got 'buyer_escalation_hours 48'" "line 2"

grep -v '^statement_max_chars' "$SRC_DIR/templates/profiles/douyin.conf" >short.conf
cf due --profile "$SCRATCH/short.conf"
expect_rc 3 "missing key"
expect_err "missing key 'statement_max_chars'" "names the key"

# dispute.profile in the vault settings (meta table, `casefile config`).
cp "$SRC_DIR/templates/profiles/wechat.conf" wx.conf
sql "INSERT INTO meta VALUES('dispute.profile', '$SCRATCH/wx.conf')"
cf dispute open A1 --reason quality --rejected-at '2025-05-04 10:00'
expect_rc 0 "default profile from the vault setting"
check "a profile outside templates/ is recorded by its absolute path" test "$(sql 'SELECT profile FROM disputes')" = "$(realpath wx.conf)"
expect_out "deadline 2025-05-11 10:00:00 \+08:00 \(escalation\)" "7-day window"
mkdir elsewhere
(cd elsewhere && "$CASEFILE_BIN" due --json >"$out" 2>"$err"); rc=$?
expect_clean "due finds the recorded profile from another directory"
expect_out '"profile":"[^"]*/wx.conf","deadline":"2025-05-11T02:00:00Z"' "with its own window"
cf dispute open A9 --reason quality --profile wechat
check "a shipped profile is recorded by name" test "$(sql "SELECT profile FROM disputes WHERE order_id = 'A9'")" = wechat
sql "UPDATE meta SET value = 'nosuch' WHERE key = 'dispute.profile'"
cf dispute open A2 --reason quality
expect_rc 2 "a vault setting naming a missing profile"
expect_err "vault setting dispute.profile: unknown profile 'nosuch'" "says where the name came from"

# A dispute whose profile file disappeared still alerts from its stored deadline.
sql "UPDATE disputes SET profile = 'gone'"
cf due --within 1000h
expect_rc 3 "profile missing: exit 3"
expect_err "order 'A1': unknown profile 'gone'" "names the dispute"
expect_out "^A1 .*2025-05-11 10:00:00" "stored deadline still listed"
done_testing
