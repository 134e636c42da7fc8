#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine that has the .NET 10 SDK, then builds, checks
# style and runs every test project, then runs the README's quick-start commands exactly as written.
# Exits non-zero on any failure. Usage: tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

source tests/install.sh

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
