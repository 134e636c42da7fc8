#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine that has the .NET 10 SDK, then builds, checks
# style and runs every test project, then runs the README's quick-start commands exactly as written.
# Exits non-zero on any failure. Usage: tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

echo "== installing test dependencies"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# bind9 (named): the real authoritative server the DKIM rotation end-to-end test publishes to and queries.
# bind9-dnsutils (nsupdate, dig): TSIG-signed dynamic updates from the tests.
# bind9-utils: named-checkzone, which proves rendered zone fragments load in BIND.
# openssl: proves the private keys the product writes are readable by OpenSSL 3.
need=()
command -v named >/dev/null 2>&1 || [ -x /usr/sbin/named ] || need+=(bind9)
command -v nsupdate >/dev/null 2>&1 || need+=(bind9-dnsutils)
command -v named-checkzone >/dev/null 2>&1 || [ -x /usr/sbin/named-checkzone ] || need+=(bind9-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# knot (knotd): the second real authoritative server the RFC 2136 publisher is tested against.
command -v knotd >/dev/null 2>&1 || [ -x /usr/sbin/knotd ] || need+=(knot)
# kubectl: the second, real client of the test API server (preinstalled on these machines; Debian's
# kubernetes-client package is the fallback where it is not).
command -v kubectl >/dev/null 2>&1 || need+=(kubernetes-client)
as_root apt-get update -qq
if [ ${#need[@]} -gt 0 ]; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" ca-certificates
fi
command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK (dotnet) is required" >&2; exit 2; }
# named lives in /usr/sbin, which a non-login shell may not have on PATH.
export PATH="$PATH:/usr/sbin:/sbin"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== build (warnings are errors)"
dotnet build MailDnsOperator.sln -c Release -v quiet -nologo

echo "== style (dotnet format)"
dotnet format MailDnsOperator.sln --verify-no-changes --no-restore

echo "== tests"
log=$(mktemp)
status=0
dotnet test MailDnsOperator.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?

echo "== README quick start, as written"
# The commands between the quickstart markers of the README are run here, so the README cannot drift from
# what works.
quick=$(mktemp)
sed -n '/<!-- quickstart:begin -->/,/<!-- quickstart:end -->/p' README.md | grep -E '^(dotnet|maildns) ' | grep -v 'tests/run.sh' > "$quick"
[ -s "$quick" ] || { echo "no quick-start commands found in README.md" >&2; exit 1; }
rm -rf "$root/out"
while IFS= read -r cmd; do
  echo "\$ $cmd"
  bash -c "$cmd" || { echo "README command failed: $cmd" >&2; status=1; }
done < "$quick"
test -s "$root/out/quickstart/records.json" || { echo "the quick start did not write out/quickstart/records.json" >&2; status=1; }
test -s "$root/out/state/status/default/mail-example-com.json" || { echo "the quick start reconcile wrote no status" >&2; status=1; }

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
echo "tests: $passed passed, $failed failed"
exit $status
