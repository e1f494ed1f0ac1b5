# The demo: a RAM-backed ublk device with a filesystem, end to end.
set -e
echo "== ublk features"; ublk features | head -1
echo "== ublk add --type mem --size 1G"
dev=$(ublk add --type mem --size 1G)
echo "$dev is live"
ublk list
echo "== mkfs.ext4 $dev && mount"
mkfs.ext4 -q -F "$dev"
mkdir -p /mnt/ublk-demo
mount -t ext4 "$dev" /mnt/ublk-demo
dd if=/dev/urandom of=/mnt/ublk-demo/data bs=1M count=32 2>/dev/null
sum=$(sha256sum /mnt/ublk-demo/data | cut -d' ' -f1)
umount /mnt/ublk-demo
mount -t ext4 "$dev" /mnt/ublk-demo
[ "$(sha256sum /mnt/ublk-demo/data | cut -d' ' -f1)" = "$sum" ]
echo "32 MiB file written, remounted and verified: sha256 $sum"
umount /mnt/ublk-demo
echo "== ublk del --id ${dev#/dev/ublkb}"
ublk del --id "${dev#/dev/ublkb}"
ublk list
echo "DEMO OK"
