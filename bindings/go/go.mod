module libublk.dev/ublk

go 1.19
