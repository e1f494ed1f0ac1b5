#!/bin/bash
# ublk.h must compile as C11 and as C++ with every warning an error, and in
# one file with the system's <linux/ublk_cmd.h> (names must not collide).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$root/tests/headertest
cc -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only -I "$root/include" "$t/c11.c"
c++ -std=c++17 -Wall -Wextra -pedantic -Werror -fsyntax-only -I "$root/include" "$t/cxx.cc"
cc -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only -I "$root/include" "$t/with_uapi.c"
echo "ublk.h: C11, C++17 and with <linux/ublk_cmd.h>: clean"
