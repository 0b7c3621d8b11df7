#!/usr/bin/env bash
# make demo: the nightly job on the sample data in testdata/, against the
# local platform sandbox, twice (the second run must change nothing). All
# output goes to ./demo/, recreated each time.
set -euo pipefail
bt=${1:-bin/batchtool}
cd "$(dirname "$0")/.."
rm -rf demo && mkdir -p demo

# A free loopback port: never talk to some other server that holds one.
port=${DEMO_PORT:-18089}
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
export BATCHTOOL_TWIKEY_URL="http://127.0.0.1:$port" BATCHTOOL_TWIKEY_TOKEN=sandbox-token
"$bt" sandbox --addr "127.0.0.1:$port" --data demo/sandbox --quiet --for 10m >demo/sandbox.out &
sandbox=$!
trap 'kill $sandbox 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 $sandbox 2>/dev/null || { echo "the sandbox did not start" >&2; exit 1; }
  sleep 0.1
done
# The sandbox prints the Tikkie/Tinka demo settings to export.
for _ in $(seq 50); do grep -q BATCHTOOL_TIKKIE_URL demo/sandbox.out 2>/dev/null && break; sleep 0.1; done
eval "$(sed -n 's/^  export /export /p' demo/sandbox.out)"
echo "sandbox: $BATCHTOOL_TWIKEY_URL (data in demo/sandbox; Tikkie and Tinka at the same address)"

echo "##### nightly, first run"
"$bt" nightly --config testdata/batchtool.toml || echo "(exit code $?: see 'needs attention')"
echo
links=$(ls demo/work/reports/*/payment-links.csv | head -1)
echo "##### $links: the Tikkie links finance sends; the first customer pays"
cat "$links"
pay=$(sed -n '2p' "$links" | cut -d, -f8)
curl -s -o /dev/null -X POST -d "name=Sofie Janssens" "$pay"
echo
echo "##### nightly, second run: nothing counted twice; the Tikkie payment is booked"
"$bt" nightly --config testdata/batchtool.toml || echo "(exit code $?)"
echo
echo "##### what the bank said: the fetched camt.053"
"$bt" inspect demo/work/inbox/camt/*.xml
echo
report=$(ls -d demo/work/reports/*/ | head -1)
echo "reports of the first run: ${report}reconcile.html (open it in a browser), reconcile.xlsx, reconcile.csv (ERP export)"
