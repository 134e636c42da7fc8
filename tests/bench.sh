#!/usr/bin/env bash
# Benchmarks: installs what they need (tests/install.sh: BIND, Dovecot, ...), builds Release, and runs tests/MailDns.Benchmarks, which
# prints one line per figure on stderr and one JSON object of every figure (with the core count) as the last
# line on stdout. Nothing here asserts a time. Usage: tests/bench.sh [--quick] [--only keygen,lint,...]
# (sections: keygen, lint, render, health, pulumi, reconcile-ed25519, reconcile-rsa, memory, reports, blocklist, growth;
# growth runs an hour, 2 minutes with --quick).
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/install.sh
dotnet build tests/MailDns.Benchmarks -c Release -v quiet -nologo >&2
exec dotnet tests/MailDns.Benchmarks/bin/Release/net10.0/MailDns.Benchmarks.dll "$@"
