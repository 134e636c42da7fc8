#!/usr/bin/env bash
# Refreshes the Public Suffix List snapshot that `validate` and `render` use for the organisational domain when
# no DNS is asked (the operator and `check` use the RFC 9989 DNS tree walk instead).
# Source: Debian's publicsuffix package, or a file given as the first argument.
#   operator/MailDns.Core/Names/refresh-public-suffix-list.sh            # from the Debian package
#   operator/MailDns.Core/Names/refresh-public-suffix-list.sh list.dat   # from a downloaded copy
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source_file="${1:-/usr/share/publicsuffix/public_suffix_list.dat}"
if [[ $# -eq 0 && ! -f "$source_file" ]]; then
  sudo apt-get install -y --no-install-recommends publicsuffix >/dev/null
fi
grep -q '===BEGIN ICANN DOMAINS===' "$source_file" || { echo "$source_file is not a Public Suffix List" >&2; exit 1; }
cp "$source_file" "$here/public_suffix_list.dat"
echo "public_suffix_list.dat: $(grep -c '^[^/[:space:]]' "$here/public_suffix_list.dat") rules"
[[ $# -eq 0 ]] && dpkg-query -W -f='from publicsuffix ${Version}\n' publicsuffix || true
