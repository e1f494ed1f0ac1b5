#!/bin/bash
# usage: check-tidy.sh BUILD_DIR — clang-tidy (config: .clang-tidy) over src/,
# every warning an error. Needs BUILD_DIR/compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
db=$1
[ -s "$db/compile_commands.json" ] || { echo "no $db/compile_commands.json"; exit 1; }
mapfile -t files < <(git ls-files 'src/*.cc')
if ! printf '%s\n' "${files[@]}" | xargs -P"$(nproc)" -n4 clang-tidy -p "$db" --quiet \
    >"$db/clang-tidy.log" 2>&1; then
  grep -E 'warning:|error:' -A3 "$db/clang-tidy.log" || cat "$db/clang-tidy.log"
  exit 1
fi
echo "clang-tidy: ${#files[@]} files clean"
