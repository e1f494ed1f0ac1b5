#!/bin/bash
# usage: check-symbols.sh LIBUBLK_SO VERSION_SCRIPT
# The dynamic symbols libublk defines must equal the version script's list:
# no absl::, std:: or internal symbol may leak, and none may be missing.
set -euo pipefail
lib=$1 map=$2
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' |
  grep -v '^LIBUBLK_' | sort -u)
listed=$(sed -n 's/^ *\(ublk_[a-z0-9_]*\);.*/\1/p' "$map" | sort -u)
if [ "$exported" != "$listed" ]; then
  echo "exported symbols differ from $map:"
  diff <(echo "$listed") <(echo "$exported") || true
  exit 1
fi
echo "$(echo "$listed" | wc -l) symbols exported, all listed in the version script"
