#!/bin/sh
# The Rust and Go blocks in bindings/README.md must equal the hello examples
# that bindings.rust.test and bindings.go.test compile.
set -e
awk '/^```rust$/{f=1;next} /^```$/{f=0} f' "$1/bindings/README.md" |
  diff - "$1/bindings/rust/ublk/examples/hello.rs"
awk '/^```go$/{f=1;next} /^```$/{f=0} f' "$1/bindings/README.md" |
  diff - "$1/bindings/go/examples/hello/main.go"
echo "bindings/README.md examples match the compiled hello examples"
