# Sourced by tests/run.sh and tests/bench.sh: installs what the tests and benchmarks need on a fresh Debian
# machine that has the .NET 10 SDK, and sets PATH and the dotnet environment.
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
# postgresql: the second report store (Npgsql); the tests start a private cluster on 127.0.0.1 as user postgres.
[ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# dovecot-imapd: the real IMAP mailbox the ReportSource controller reads DMARC and TLS reports from.
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
# postfix: the real MTA the transport checks probe (STARTTLS, certificates); the tests run their own instance from a
# private configuration directory on loopback ports, never the system's service.
[ -x /usr/sbin/postfix ] || need+=(postfix)
# prometheus: promtool, which checks the monitoring mixin's alerting rules and runs their unit tests. Its service is
# not needed (and a container's policy-rc.d keeps it from starting).
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
# npm: fetches the type definitions of the pinned Pulumi provider packages (PulumiTypeDefinitionTests).
command -v npm >/dev/null 2>&1 || need+=(npm)
as_root apt-get update -qq
if [ ${#need[@]} -gt 0 ]; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" ca-certificates
fi
command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK (dotnet) is required" >&2; exit 2; }
# named lives in /usr/sbin, which a non-login shell may not have on PATH.
export PATH="$PATH:/usr/sbin:/sbin"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The Pulumi provider packages the rendered programs pin (PulumiPackages.Versions): their type definitions (.d.ts:
# each resource's XArgs, `?` marks an optional input) and resource modules (.js: the type token) are what
# PulumiTypeDefinitionTests checks every rendered program against. npm pack fetches the package alone.
export MAILDNS_PULUMI_TYPES="${MAILDNS_PULUMI_TYPES:-/var/cache/maildns/pulumi-types}"
as_root mkdir -p "$MAILDNS_PULUMI_TYPES"
for pinned in aws@7.48.0:route53/record azure-native@3.28.0:dns/recordSet cloudflare@6.22.1:dnsRecord \
  digitalocean@4.80.1:dnsRecord gcp@9.37.0:dns/recordSet; do
  package="${pinned%%:*}"; resource="${pinned#*:}"; dir="$MAILDNS_PULUMI_TYPES/${package/@/-}"
  [ -f "$dir/package/$resource.d.ts" ] && continue
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "@pulumi/$package" >/dev/null) || { echo "npm pack @pulumi/$package failed" >&2; exit 2; }
  as_root mkdir -p "$dir"
  as_root tar -xzf "$work"/*.tgz -C "$dir" package/package.json package/provider.d.ts "package/$resource.d.ts" "package/$resource.js"
  rm -rf "$work"
done
