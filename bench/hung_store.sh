#!/bin/bash
# How long a PostgreSQL store that does not answer holds up the monitor (issue 15, item 2).
# usage: bench/hung_store.sh WATTCAST URL [none|lock|stop] [MEASURE_FLAGS...]
# A training of 40 epochs of 0.25 s (Keras-style lines, --epoch-regex keras) is measured into URL.
# From 1 s after measuring began, for 20 s: "lock": another session holds LOCK TABLE markers and samples IN ACCESS
# EXCLUSIVE MODE; "stop": every process of the server is stopped (SIGSTOP; the server must run on
# this machine, and this script may signal it). 3 s after that, measure gets SIGTERM. Prints how long the
# SIGTERM took to reach the command and measure to end, and the epoch_end markers stored once the
# fault is over and any spool left is delivered. Needs psql.
set -u
W=$1; URL=$2; MODE=${3:-none}; shift $(( $# < 3 ? $# : 3 ))
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
printf 't_s,device,power_w\n0,gpu0,100\n0.2,gpu1,200\n' > "$D/trace.csv"
cat > "$D/train.sh" <<'TRAIN'
#!/bin/sh
trap 'date +%s.%N > "$1/term_at"; exit 143' TERM
i=1
while [ $i -le 40 ]; do echo "Epoch $i/40"; sleep 0.25; i=$((i+1)); done
TRAIN
chmod +x "$D/train.sh"
sep='?'; case "$URL" in *\?*) sep='&';; esac
LOCKER_URL="$URL${sep}application_name=hung-store-locker"
XDG_STATE_HOME=$D "$W" measure --replay "$D/trace.csv" --interval-ms 20 --epoch-regex keras --store "$URL" --ready-file "$D/ready" "$@" \
  -- "$D/train.sh" "$D" > "$D/out" 2> "$D/err" &
M=$!
# The postmaster: the parent of the checkpointer, which lives as long as it does.
postmaster=$(psql -qAt "$URL" -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'" | xargs -r ps -o ppid= -p | tr -d ' ')
server_processes() { echo "$postmaster" $(pgrep -P "$postmaster"); }
for _ in $(seq 300); do [ -s "$D/ready" ] && break; sleep 0.1; done  # measuring
sleep 1
case "$MODE" in
  lock) psql -q "$LOCKER_URL" -c "BEGIN; LOCK TABLE markers IN ACCESS EXCLUSIVE MODE; LOCK TABLE samples IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(20); COMMIT;" >/dev/null 2>&1 & ;;
  stop) kill -STOP $(server_processes); (sleep 20; kill -CONT $(server_processes)) & THAW=$! ;;
esac
sleep 3
kill_at=$(date +%s.%N); kill -TERM $M
wait $M; rc=$?; end_at=$(date +%s.%N)
# End the fault, deliver what the monitor left in its spool, count the stored epochs.
if [ "$MODE" = stop ]; then kill $THAW 2>/dev/null; kill -CONT $(server_processes); fi
psql -qAt "$URL" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hung-store-locker'" >/dev/null
for spool in "$D"/wattcast/spool/*.spool; do [ -e "$spool" ] && "$W" store replay-spool "$spool" --store "$URL" 2>/dev/null; done
run=$(python3 -c "import json; print(json.load(open('$D/ready'))['run_id'])")
ends=$(psql -qAt "$URL" -c "SELECT count(*) FROM markers WHERE run_id = $run AND type = 'epoch_end'")
printed=$(grep -c '^Epoch' "$D/out")
term_at=$(cat "$D/term_at" 2>/dev/null || echo 'float("nan")')
python3 -c "print(f'$MODE: SIGTERM reached the command after {($term_at - $kill_at) * 1000:.0f} ms; measure ended after {($end_at - $kill_at) * 1000:.0f} ms (exit {$rc}); epochs printed $printed, epoch_end markers stored $ends')"
grep -E 'did not answer|answers again|not all in|has not answered' "$D/err" | sed 's/^/  /' | cut -c1-200
