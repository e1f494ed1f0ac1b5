#include <stdio.h>
#include <string.h>
#include <ublk.h>

static unsigned char disk[64 << 20];

static int32_t rd(void *ud, ublk_io *io, void *buf, uint32_t len, uint64_t off) {
  memcpy(buf, disk + off, len);
  return (int32_t)len;                      /* bytes done, or -errno */
}
static int32_t wr(void *ud, ublk_io *io, const void *buf, uint32_t len, uint64_t off) {
  memcpy(disk + off, buf, len);
  return (int32_t)len;
}

int main(void) {
  ublk_config *cfg;
  ublk_dev *dev;
  struct ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  ops.read = rd;
  ops.write = wr;
  ublk_config_new(&cfg);
  ublk_config_set_size(cfg, sizeof disk);
  ublk_config_set_queues(cfg, 2);
  if (ublk_dev_create(cfg, &ops, NULL, &dev) || ublk_dev_start(dev)) {
    fprintf(stderr, "%s\n", ublk_last_error());  /* names the failing call */
    return 1;
  }
  ublk_config_free(cfg);
  printf("serving %s\n", ublk_dev_path(dev));
  ublk_dev_wait(dev);                       /* until ublk_dev_stop or `ublk del` */
  return ublk_dev_close(dev) ? 1 : 0;
}
