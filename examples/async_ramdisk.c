/*
 * async_ramdisk: a RAM disk served by an asynchronous libublk backend.
 *
 * submit() only queues the request; a worker thread per queue copies the
 * data and calls ublk_io_complete() from that thread. Stops on SIGINT or
 * SIGTERM, or when the device is deleted with `ublk del`.
 *
 * --data-at also sets data_at: the data is in memory, so where the library
 * copies (user copy; --data-mode auto picks it where the kernel has it) it
 * copies READs and WRITEs straight between the request and d->mem, one
 * copy, and submit() only sees the other requests. The exit line counts
 * the READs and WRITEs each way went.
 *
 *   async_ramdisk [--data-at] [--data-mode MODE] SIZE_MIB [QUEUES]
 *       prints /dev/ublkbN once it is live; MODE: copy (default), auto, ...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ublk.h"

#define MAX_QUEUES 16

struct worker {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  ublk_io **ring; /* pending requests, FIFO */
  uint32_t cap, head, count;
  int stop;
  pthread_t thread;
};

struct disk {
  unsigned char *mem;
  uint64_t size;
  uint32_t nr_queues;
  struct worker workers[MAX_QUEUES];
};

/* READs and WRITEs served by submit() and by data_at; outlives the disk */
static atomic_ullong g_reads, g_writes, g_reads_at, g_writes_at;

static void serve(struct disk *d, ublk_io *io) {
  uint64_t off = ublk_io_offset(io);
  uint32_t len = ublk_io_length(io);
  switch (ublk_io_op(io)) {
  case UBLK_OP_READ:
    g_reads++;
    memcpy(ublk_io_buf(io), d->mem + off, len);
    ublk_io_complete(io, (int32_t)len);
    break;
  case UBLK_OP_WRITE:
    g_writes++;
    memcpy(d->mem + off, ublk_io_buf(io), len);
    ublk_io_complete(io, (int32_t)len);
    break;
  case UBLK_OP_DISCARD:
  case UBLK_OP_WRITE_ZEROES:
    memset(d->mem + off, 0, len);
    ublk_io_complete(io, 0);
    break;
  default:
    ublk_io_complete(io, -EOPNOTSUPP);
  }
}

static void *worker_main(void *arg) {
  struct disk *d = ((void **)arg)[0];
  struct worker *w = ((void **)arg)[1];
  free(arg);
  pthread_mutex_lock(&w->lock);
  for (;;) {
    while (!w->count && !w->stop) pthread_cond_wait(&w->cond, &w->lock);
    if (!w->count && w->stop) break;
    ublk_io *io = w->ring[w->head];
    w->head = (w->head + 1) % w->cap;
    w->count--;
    pthread_mutex_unlock(&w->lock);
    serve(d, io); /* completes from this worker thread */
    pthread_mutex_lock(&w->lock);
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

/* Queue thread: hand the request to this queue's worker; never blocks long. */
static int32_t disk_submit(void *user_data, ublk_io *io) {
  struct disk *d = user_data;
  struct worker *w = &d->workers[ublk_io_queue(io)];
  pthread_mutex_lock(&w->lock);
  w->ring[(w->head + w->count) % w->cap] = io;
  w->count++;
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->lock);
  return 0;
}

/* Queue thread: where a READ's or WRITE's bytes are; the library copies
 * them. The library keeps every request inside the device. */
static void *disk_data_at(void *user_data, uint32_t op, uint32_t flags, uint64_t offset,
                          uint32_t length) {
  struct disk *d = user_data;
  (void)flags; /* FUA: memory is as durable as it gets */
  (void)length;
  if (op == UBLK_OP_READ)
    g_reads_at++;
  else
    g_writes_at++;
  return d->mem + offset;
}

static void disk_free(void *user_data) {
  struct disk *d = user_data;
  for (uint32_t q = 0; q < d->nr_queues; q++) {
    struct worker *w = &d->workers[q];
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    free(w->ring);
  }
  free(d->mem);
  free(d);
}

static ublk_dev *g_dev;

static void *signal_main(void *arg) {
  sigset_t *set = arg;
  int sig;
  if (sigwait(set, &sig) == 0) ublk_dev_stop(g_dev);
  return NULL;
}

static int fail(const char *what, int r) {
  fprintf(stderr, "async_ramdisk: %s: %s (%s)\n", what, ublk_last_error(), strerror(-r));
  return 1;
}

static int usage(const char *prog) {
  fprintf(stderr, "usage: %s [--data-at] [--data-mode MODE] SIZE_MIB [QUEUES]\n", prog);
  return 2;
}

int main(int argc, char **argv) {
  static const struct option opts[] = {{"data-at", no_argument, NULL, 'a'},
                                       {"data-mode", required_argument, NULL, 'm'},
                                       {NULL, 0, NULL, 0}};
  int data_at = 0, c;
  uint32_t mode = UBLK_DATA_MODE_COPY;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'a') {
      data_at = 1;
      continue;
    }
    if (c != 'm' || ublk_data_mode_from_name(optarg, &mode)) return usage(argv[0]);
  }
  if (optind >= argc) return usage(argv[0]);
  uint64_t size = strtoull(argv[optind], NULL, 0) << 20;
  uint32_t queues = argc > optind + 1 ? (uint32_t)strtoul(argv[optind + 1], NULL, 0) : 1;
  const uint32_t depth = 64;
  if (!size || !queues || queues > MAX_QUEUES) {
    fprintf(stderr, "async_ramdisk: bad size or queue count\n");
    return 2;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);

  struct disk *d = calloc(1, sizeof(*d));
  if (!d || !(d->mem = calloc(1, size))) return fail("alloc", -ENOMEM);
  d->size = size;
  d->nr_queues = queues;
  for (uint32_t q = 0; q < queues; q++) {
    struct worker *w = &d->workers[q];
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    w->cap = depth;
    w->ring = calloc(depth, sizeof(*w->ring));
    void **arg = malloc(2 * sizeof(void *));
    arg[0] = d;
    arg[1] = w;
    pthread_create(&w->thread, NULL, worker_main, arg);
  }

  ublk_config *cfg;
  int r = ublk_config_new(&cfg);
  if (r) return fail("config", r);
  if ((r = ublk_config_set_size(cfg, size)) || (r = ublk_config_set_queues(cfg, queues)) ||
      (r = ublk_config_set_depth(cfg, depth)) || (r = ublk_config_set_data_mode(cfg, mode)))
    return fail("config", r);

  struct ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  ops.flags = UBLK_BACKEND_F_DISCARD | UBLK_BACKEND_F_WRITE_ZEROES;
  ops.submit = disk_submit;
  ops.free_user_data = disk_free;
  if (data_at) ops.data_at = disk_data_at;
  r = ublk_dev_create(cfg, &ops, d, &g_dev); /* owns d from here, even on failure */
  ublk_config_free(cfg);
  if (r) return fail("create", r);
  if ((r = ublk_dev_start(g_dev))) {
    ublk_dev_close(g_dev);
    return fail("start", r);
  }
  printf("%s\n", ublk_dev_path(g_dev));
  fflush(stdout);

  pthread_t sig_thread;
  pthread_create(&sig_thread, NULL, signal_main, &set);
  ublk_dev_wait(g_dev); /* until SIGINT/SIGTERM or `ublk del` */
  pthread_kill(sig_thread, SIGTERM); /* wake the signal thread if still waiting */
  pthread_join(sig_thread, NULL);    /* its ublk_dev_stop is a no-op by now */
  mode = ublk_dev_data_mode(g_dev);
  r = ublk_dev_close(g_dev);
  if (r) return fail("close", r);
  fprintf(stderr,
          "async_ramdisk: data mode %s: reads %llu via data_at, %llu via callbacks; "
          "writes %llu via data_at, %llu via callbacks\n",
          ublk_data_mode_name(mode), atomic_load(&g_reads_at), atomic_load(&g_reads),
          atomic_load(&g_writes_at), atomic_load(&g_writes));
  return 0;
}
