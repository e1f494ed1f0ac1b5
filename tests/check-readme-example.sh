#!/bin/sh
# The C block in README.md must equal examples/hello_ramdisk.c (which the build compiles).
set -e
awk '/^```c$/{f=1;next} /^```$/{f=0} f' "$1/README.md" | diff - "$1/examples/hello_ramdisk.c"
echo "README example matches examples/hello_ramdisk.c"
