module libublk.dev/examples/ramdisk

go 1.19

require libublk.dev/ublk v0.0.0

replace libublk.dev/ublk => ../../bindings/go
