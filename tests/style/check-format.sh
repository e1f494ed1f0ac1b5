#!/bin/bash
# clang-format must leave the C++ in src/, tests/ and fuzz/ unchanged.
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'fuzz/*.cc' 'fuzz/*.h')
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"
