/*
 * libublk: Linux block devices served from userspace, on the kernel's ublk
 * driver.
 *
 * Conventions (they hold for every function below unless its comment says
 * otherwise):
 *  - Fallible functions return 0 (or a documented value >= 0) on success and
 *    a negative errno on failure. The return value is authoritative.
 *  - After a failure, ublk_last_error() gives a message for this thread that
 *    names the call ("ublk_dev_create: ADD_DEV failed: ..."). It is valid
 *    until the next libublk call on the same thread and may be stale after a
 *    success.
 *  - Handles are opaque. Pointers passed in are borrowed for the duration of
 *    the call. Destructors accept NULL.
 *  - No function calls exit() or abort() on bad input, and none waits
 *    forever: control commands have a timeout (see
 *    ublk_config_set_ctrl_timeout_ms).
 *  - Requires Linux 6.0+ with the ublk_drv module, CAP_SYS_ADMIN, io_uring.
 *
 * C11, depends only on libc headers. Names never collide with the kernel's
 * <linux/ublk_cmd.h>; both may be included in one file.
 */
#ifndef UBLK_H
#define UBLK_H

#include <stddef.h>
#include <stdint.h>

#define UBLK_API __attribute__((visibility("default")))
#ifdef __cplusplus
#define UBLK_NOEXCEPT noexcept
extern "C" {
#else
#define UBLK_NOEXCEPT
#endif

#define UBLK_VERSION_MAJOR 0
#define UBLK_VERSION_MINOR 1
#define UBLK_VERSION_PATCH 0

/* ------------------------------------------------------------------------ */
/* Library                                                                   */

/* (major << 16) | (minor << 8) | patch of the library at run time. Any
 * thread. Cannot fail. */
UBLK_API uint32_t ublk_version(void) UBLK_NOEXCEPT;

/* 1 if the run-time library is at least major.minor, else 0. Any thread. */
UBLK_API int ublk_version_at_least(uint32_t major, uint32_t minor) UBLK_NOEXCEPT;

/* The message of this thread's last failed libublk call; never NULL ("" if
 * none). Owned by the library; valid until the next libublk call on this
 * thread. */
UBLK_API const char* ublk_last_error(void) UBLK_NOEXCEPT;

/* The kernel's feature mask (GET_FEATURES) in *out: the kernel flag bits the
 * running driver supports, bit numbers as in the kernel uapi. On kernels
 * older than 6.5, which lack the command, stores 0 and returns 0.
 * Errors: -ENOENT (driver not loaded), -EACCES/-EPERM, -ETIMEDOUT, -EINVAL
 * (out is NULL). Any thread. */
UBLK_API int ublk_get_features(uint64_t* out) UBLK_NOEXCEPT;

/* Name of kernel feature bit `bit` ("ZERO_COPY", "USER_COPY", ...), or NULL
 * if this library does not know the bit. Static storage. Any thread. */
UBLK_API const char* ublk_feature_name(uint32_t bit) UBLK_NOEXCEPT;

/* ------------------------------------------------------------------------ */
/* Device configuration: an opaque builder. One thread at a time.           */

typedef struct ublk_config ublk_config;

/* Creates a configuration with defaults: 1 queue of depth 64, 512-byte
 * logical blocks, physical = logical, 512 KiB max I/O, automatic device id,
 * writable, non-rotational, 30 s control timeout. The size has no default.
 * Errors: -EINVAL (out NULL), -ENOMEM. The caller owns *out. */
UBLK_API int ublk_config_new(ublk_config** out) UBLK_NOEXCEPT;
UBLK_API void ublk_config_free(ublk_config* cfg) UBLK_NOEXCEPT;

/* Setters refuse values the kernel could never accept with -EINVAL and a
 * message; the remaining cross-field rules (size a multiple of the block
 * size, ...) are checked by ublk_dev_create, also before anything reaches
 * the kernel. */

/* Device size in bytes: > 0, a multiple of the logical block size. */
UBLK_API int ublk_config_set_size(ublk_config* cfg, uint64_t bytes) UBLK_NOEXCEPT;
/* Logical block size: a power of two in [512, 4096]. Physical: a power of
 * two >= logical; 0 means "same as logical". */
UBLK_API int ublk_config_set_block_size(ublk_config* cfg, uint32_t logical,
                                        uint32_t physical) UBLK_NOEXCEPT;
/* Number of hardware queues, [1, 4096]. One thread serves each queue unless
 * ublk_config_set_queue_threads() says otherwise. The kernel may lower it
 * to the number of possible CPUs: read the result back with
 * ublk_dev_nr_queues(). */
UBLK_API int ublk_config_set_queues(ublk_config* cfg, uint32_t nr) UBLK_NOEXCEPT;
/* Number of queue threads: 0 (the default) for one per queue, or N in
 * [1, queues] for N threads that each serve a contiguous run of queues on
 * one io_uring (the first queues % N threads take one queue more). A thread
 * then submits the commits and reaps the requests of all its queues with
 * one io_uring_enter, so a burst spread over its queues costs one wakeup
 * instead of one per queue: for more queues than the server has CPUs to
 * spare (docs/performance.md measures 2 queues on 1 thread). Backend
 * callbacks for all of a thread's queues run on that thread.
 * Errors: -EINVAL above 4096 here; at ublk_dev_create(), -EINVAL for more
 * threads than queues, more than 256 queues per thread, or (zero copy) a
 * thread's queues needing more than 16384 buffer slots (queues x depth). */
UBLK_API int ublk_config_set_queue_threads(ublk_config* cfg, uint32_t threads) UBLK_NOEXCEPT;
/* Requests in flight per queue, [1, 4096]. */
UBLK_API int ublk_config_set_depth(ublk_config* cfg, uint32_t depth) UBLK_NOEXCEPT;
/* Largest request in bytes: a multiple of 4096 in [4096, 32 MiB]. Every tag
 * gets a buffer of this size. */
UBLK_API int ublk_config_set_max_io_size(ublk_config* cfg, uint32_t bytes) UBLK_NOEXCEPT;
/* Device id N for /dev/ublkbN, below 2^20; UBLK_DEV_ID_AUTO (default) lets
 * the kernel choose. */
#define UBLK_DEV_ID_AUTO (-1)
UBLK_API int ublk_config_set_dev_id(ublk_config* cfg, int32_t id) UBLK_NOEXCEPT;
/* 0 or 1. */
UBLK_API int ublk_config_set_read_only(ublk_config* cfg, int read_only) UBLK_NOEXCEPT;
UBLK_API int ublk_config_set_rotational(ublk_config* cfg, int rotational) UBLK_NOEXCEPT;
/* How request data moves between the kernel and the backend.
 *  COPY (default): the kernel copies into/out of the per-tag buffer that
 *    ublk_io_buf() returns (one copy per request, no extra syscall).
 *  NEED_GET_DATA: like COPY, but a WRITE's data is copied in only when the
 *    library asks for it (one more round trip per write).
 *  USER_COPY: the library copies with pread/pwrite on /dev/ublkcN
 *    (kernel 6.5+, feature USER_COPY).
 *  ZERO_COPY: the request's own pages are registered in the queue's
 *    io_uring (automatically with AUTO_BUF_REG, kernel 6.16+, else by hand;
 *    kernel 6.15+, feature SUPPORT_ZERO_COPY). A backend with
 *    UBLK_BACKEND_F_FILE_OPS_ONLY moves data with ublk_io_file_op straight
 *    between its file and those pages: no copy at all. Any other backend
 *    still gets the bytes in ublk_io_buf(), copied by the library with
 *    pread/pwrite (also needs USER_COPY).
 *  AUTO: ZERO_COPY when the kernel has it and the backend is FILE_OPS_ONLY,
 *    else USER_COPY when the kernel has it and the backend's data is in
 *    memory (ops->data_at set; also the `ublk` CLI's `mem`, and `file` on
 *    tmpfs): the kernel then copies straight between the request and that
 *    memory; else COPY (the fastest mode for a backend that reads its
 *    buffer).
 *  ZERO_COPY_MANUAL: ZERO_COPY with REGISTER/UNREGISTER_IO_BUF per request
 *    even where the kernel could register automatically (for testing and
 *    comparison).
 * The backend sees the same request API in every mode. A mode the running
 * kernel lacks makes ublk_dev_create fail with -EOPNOTSUPP naming the
 * feature and the kernel version that has it; ublk_dev_data_mode() tells
 * the mode in use. Unknown modes: -EINVAL. */
#define UBLK_DATA_MODE_COPY 0u
#define UBLK_DATA_MODE_NEED_GET_DATA 1u
#define UBLK_DATA_MODE_USER_COPY 2u
#define UBLK_DATA_MODE_ZERO_COPY 3u
#define UBLK_DATA_MODE_AUTO 4u
#define UBLK_DATA_MODE_ZERO_COPY_MANUAL 5u
UBLK_API int ublk_config_set_data_mode(ublk_config* cfg, uint32_t mode) UBLK_NOEXCEPT;
/* The name of data mode `mode`: "copy", "need-get-data", "user-copy",
 * "zero-copy", "auto" or "zero-copy-manual" (the UBLK_DATA_MODE_* suffix in
 * lower case, '-' for '_'; the `ublk` CLI's --data-mode names), or NULL for
 * an unknown mode. Static storage. Any thread. Cannot fail. */
UBLK_API const char* ublk_data_mode_name(uint32_t mode) UBLK_NOEXCEPT;
/* The inverse of ublk_data_mode_name: stores the UBLK_DATA_MODE_* value
 * whose name is exactly `name` in *mode. Errors: -EINVAL (name or mode
 * NULL, or an unknown name; *mode is then unchanged). Any thread. */
UBLK_API int ublk_data_mode_from_name(const char* name, uint32_t* mode) UBLK_NOEXCEPT;
/* I/O size hints shown in /sys/block/ublkbN/queue/minimum_io_size and
 * optimal_io_size: powers of two >= the logical block size and <= 256 MiB;
 * 0 means the default (logical block size / physical block size). */
UBLK_API int ublk_config_set_io_hints(ublk_config* cfg, uint32_t io_min,
                                      uint32_t io_opt) UBLK_NOEXCEPT;
/* Which CPUs each queue's thread (named "ublkq<N>", or "ublkq<first>-<last>"
 * for a thread serving several queues) may run on; a thread of several
 * queues is judged by all their CPUs together. The kernel maps every CPU to
 * one queue: requests submitted on that CPU go to it.
 *  AUTO (default): pinned to its queue's CPUs when they are two or more, not
 *    pinned when the queue has a single CPU (queues >= CPUs). Pinned to the
 *    one CPU that submits its requests, the thread would take turns with the
 *    submitter there: two context switches per request (measured: about
 *    half the IOPS, twice the CPU time per I/O; see docs/performance.md).
 *  QUEUE_CPUS: always pinned to its queue's CPUs (as ublksrv does).
 *  NONE: never pinned; the scheduler decides.
 * Unknown policies: -EINVAL. */
#define UBLK_QUEUE_AFFINITY_AUTO 0u
#define UBLK_QUEUE_AFFINITY_QUEUE_CPUS 1u
#define UBLK_QUEUE_AFFINITY_NONE 2u
UBLK_API int ublk_config_set_queue_affinity(ublk_config* cfg, uint32_t policy) UBLK_NOEXCEPT;
/* Scheduling policy of the queue threads.
 *  INHERIT (default): that of the thread calling ublk_dev_start().
 *  BATCH: SCHED_BATCH (same nice value). A woken queue thread then does not
 *    preempt the task running on its CPU, often a submitter still queueing
 *    requests; it runs when that task sleeps or at the next tick, and finds
 *    more requests at once. Measured in docs/performance.md: more IOPS with
 *    as many fio jobs as CPUs. The price, which that guest cannot measure:
 *    up to a scheduler tick of wakeup latency where a CPU-bound task shares
 *    the queue thread's CPU.
 * If the system refuses the policy, ublk_dev_start() fails with its errno
 * (e.g. -EPERM). Unknown policies: -EINVAL. */
#define UBLK_QUEUE_SCHED_INHERIT 0u
#define UBLK_QUEUE_SCHED_BATCH 1u
UBLK_API int ublk_config_set_queue_sched(ublk_config* cfg, uint32_t policy) UBLK_NOEXCEPT;
/* Batch I/O commands (UBLK_F_BATCH_IO, Linux 7.0+): each queue hands the
 * kernel all the requests it finished in one round in one COMMIT_IO_CMDS,
 * and learns of new requests from one multishot FETCH_IO_CMDS that lists
 * many at once, instead of one command per request.
 *  AUTO (default): used when GET_FEATURES reports it, unless the data mode
 *    is NEED_GET_DATA (which batch commands cannot do).
 *  OFF: never.
 *  ON: always; ublk_dev_create() fails with -EOPNOTSUPP where it cannot be.
 * Backends see no difference. ublk_dev_batch_io() tells what a device uses.
 * Unknown policies: -EINVAL. */
#define UBLK_BATCH_IO_AUTO 0u
#define UBLK_BATCH_IO_OFF 1u
#define UBLK_BATCH_IO_ON 2u
UBLK_API int ublk_config_set_batch_io(ublk_config* cfg, uint32_t policy) UBLK_NOEXCEPT;
/* Timeout of each blocking control command, in ms, [1, 3600000]. */
UBLK_API int ublk_config_set_ctrl_timeout_ms(ublk_config* cfg, uint32_t ms) UBLK_NOEXCEPT;

/* ------------------------------------------------------------------------ */
/* Requests                                                                  */

/* One block request, borrowed by the backend from the moment it is handed
 * over (a sync callback or submit) until it is completed. The accessors may
 * be called from any thread while the backend owns the request. */
typedef struct ublk_io ublk_io;

/* Operations (values never change). */
#define UBLK_OP_READ 0u
#define UBLK_OP_WRITE 1u
#define UBLK_OP_FLUSH 2u
#define UBLK_OP_DISCARD 3u
#define UBLK_OP_WRITE_ZEROES 5u

/* Request flags. */
#define UBLK_OP_FLAG_FUA (1u << 0)     /* write must be durable on completion */
#define UBLK_OP_FLAG_NOUNMAP (1u << 1) /* write-zeroes must keep space allocated */

UBLK_API uint32_t ublk_io_op(const ublk_io* io) UBLK_NOEXCEPT;     /* UBLK_OP_* */
UBLK_API uint32_t ublk_io_flags(const ublk_io* io) UBLK_NOEXCEPT;  /* UBLK_OP_FLAG_* */
UBLK_API uint64_t ublk_io_offset(const ublk_io* io) UBLK_NOEXCEPT; /* bytes; 0 for flush */
UBLK_API uint32_t ublk_io_length(const ublk_io* io) UBLK_NOEXCEPT; /* bytes; 0 for flush */
/* The request's data: for a write, the bytes to store; for a read, where to
 * put them. ublk_io_length() bytes, at least 4096-byte aligned. NULL for
 * other operations, and in zero-copy mode for a backend with
 * UBLK_BACKEND_F_FILE_OPS_ONLY (its data never passes through memory the
 * server can see). */
UBLK_API void* ublk_io_buf(ublk_io* io) UBLK_NOEXCEPT;
UBLK_API uint32_t ublk_io_queue(const ublk_io* io) UBLK_NOEXCEPT;
UBLK_API uint32_t ublk_io_tag(const ublk_io* io) UBLK_NOEXCEPT;

/* Finishes a request handed to an asynchronous backend's submit. `result`:
 * for read/write the number of bytes done (1..length), otherwise 0; or a
 * negative errno, which the reader sees as that errno (-EIO, -ENOSPC, ...).
 * Out-of-range results become -EIO. Call exactly once per request, from any
 * thread; the queue thread is woken without polling. After this call the
 * request belongs to the library again. */
UBLK_API void ublk_io_complete(ublk_io* io, int32_t result) UBLK_NOEXCEPT;

/* Ring I/O: the request's queue thread performs an operation on `fd` in its
 * own io_uring (no extra thread, no syscall of its own), and the library
 * completes the request with the operation's result (bytes, or -errno) when
 * it finishes. READ/WRITE move the request's data (ublk_io_length() bytes,
 * ublk_io_buf(); in zero-copy mode with UBLK_BACKEND_F_FILE_OPS_ONLY the
 * request's own pages, with no copy) at file `offset`; FDATASYNC ignores offset; PUNCH_HOLE and
 * ZERO_RANGE cover ublk_io_length() bytes at `offset` (the file's size is
 * kept). UBLK_FILE_F_DSYNC makes a WRITE durable (for FUA). `fd` must stay
 * open until the request completes. Only from the asynchronous form's
 * submit(), on the queue thread, for the request being submitted; after it
 * returns 0, do not complete the request yourself. Errors: -EINVAL (wrong
 * thread, unknown op or flags), -EBUSY (no room on the ring). */
#define UBLK_FILE_OP_READ 0u
#define UBLK_FILE_OP_WRITE 1u
#define UBLK_FILE_OP_FDATASYNC 2u
#define UBLK_FILE_OP_PUNCH_HOLE 3u
#define UBLK_FILE_OP_ZERO_RANGE 4u
#define UBLK_FILE_F_DSYNC (1u << 0)
UBLK_API int ublk_io_file_op(ublk_io* io, int32_t fd, uint32_t op, uint64_t offset,
                             uint32_t flags) UBLK_NOEXCEPT;

/* ------------------------------------------------------------------------ */
/* Backends                                                                  */

/* Capability flags of struct ublk_backend_ops.flags. */
#define UBLK_BACKEND_F_FLUSH (1ull << 0)        /* async form: handles FLUSH */
#define UBLK_BACKEND_F_DISCARD (1ull << 1)      /* async form: handles DISCARD */
#define UBLK_BACKEND_F_WRITE_ZEROES (1ull << 2) /* async form: handles WRITE_ZEROES */
#define UBLK_BACKEND_F_FUA (1ull << 3)          /* honours UBLK_OP_FLAG_FUA */
/* async form: moves data only with ublk_io_file_op, never via ublk_io_buf;
 * lets ZERO_COPY skip every copy */
#define UBLK_BACKEND_F_FILE_OPS_ONLY (1ull << 4)

/* What serves a device. Fill with UBLK_BACKEND_OPS_INIT, then set members.
 * Members are only ever appended; the library reads the first struct_size
 * bytes and treats the rest as NULL/0 (also a member they hold only part
 * of).
 *
 * A backend has exactly one form:
 *  - synchronous: read and write (required), flush/discard/write_zeroes
 *    (optional). Each is called on a queue thread, may block (which stalls
 *    that queue, and the others that thread serves), and returns bytes done (read/write) or 0, or a negative
 *    errno.
 *  - asynchronous: submit (required), called on a queue thread for every
 *    request; it must not block. Return 0 once the request is accepted, and
 *    finish it later with ublk_io_complete() from any thread (also from
 *    inside submit); or return a negative errno to fail it at once.
 *    Operations beyond read/write are announced with UBLK_BACKEND_F_*.
 *
 * What the backend can do is what the device advertises: flush gives the
 * device a volatile write cache (the kernel then sends FLUSH, and FUA writes
 * if UBLK_BACKEND_F_FUA is set); discard/write_zeroes give it discard
 * limits. Operations not advertised are never passed to the backend. */
struct ublk_backend_ops {
  uint64_t struct_size; /* sizeof(struct ublk_backend_ops), via _INIT */
  uint64_t flags;       /* UBLK_BACKEND_F_*; unknown bits: -EINVAL */
  /* Optional. Called exactly once, when the library no longer needs
   * user_data: at ublk_dev_close(), or when ublk_dev_create() fails (also
   * for invalid ops, provided struct_size covers this member). Runs on the
   * thread calling close/create. */
  void (*free_user_data)(void* user_data);

  /* Synchronous form. `buf` is ublk_io_buf(io). */
  int32_t (*read)(void* user_data, ublk_io* io, void* buf, uint32_t length, uint64_t offset);
  int32_t (*write)(void* user_data, ublk_io* io, const void* buf, uint32_t length, uint64_t offset);
  int32_t (*flush)(void* user_data, ublk_io* io);
  int32_t (*discard)(void* user_data, ublk_io* io, uint64_t offset, uint32_t length);
  int32_t (*write_zeroes)(void* user_data, ublk_io* io, uint64_t offset, uint32_t length);

  /* Asynchronous form. */
  int32_t (*submit)(void* user_data, ublk_io* io);

  /* Optional, either form: for a backend whose data lives in its own memory
   * (a RAM disk, a mapped file in tmpfs). Returns the address of the
   * device's `length` bytes at `offset`, or NULL to take the request the
   * normal way (read/write or submit). `op` is UBLK_OP_READ or
   * UBLK_OP_WRITE, `flags` its UBLK_OP_FLAG_* (answer NULL for a FUA write
   * that needs more than the memory to be durable).
   *
   * Asked on the request's queue thread, in the hot path, for every READ
   * and WRITE where the library copies the data itself: USER_COPY, and
   * ZERO_COPY unless UBLK_BACKEND_F_FILE_OPS_ONLY is set (that backend's
   * file ops use the request's pages and need no copy). Never in COPY or
   * NEED_GET_DATA, where the kernel fills ublk_io_buf(). It must not block
   * and should cost no more than a lookup. On an answer the library moves
   * the data with one pread (WRITE: into the memory) or pwrite (READ: out
   * of it) on /dev/ublkcN straight between the request's pages and the
   * memory, and completes the request with `length` without calling
   * read/write/submit.
   *
   * The memory: `length` contiguous bytes of this process, writable for a
   * WRITE and readable for a READ. The library uses it only inside that
   * copy, before the request completes, and keeps no reference; it must
   * stay mapped and owned by the backend until then (memory that is freed
   * meanwhile may have been reused: the copy would land there). Requests on
   * other queues may copy to overlapping memory at the same time, as
   * overlapping block I/O may. A copy the kernel cannot make (unmapped or
   * read-only memory: EFAULT, or a short copy) sends the request to
   * read/write/submit instead, whose answer counts.
   *
   * A non-NULL data_at also makes UBLK_DATA_MODE_AUTO pick USER_COPY where
   * the kernel has it (unless ZERO_COPY is picked for FILE_OPS_ONLY): one
   * copy per request, straight into the memory. It never replaces
   * read/write or submit, which stay required. */
  void* (*data_at)(void* user_data, uint32_t op, uint32_t flags, uint64_t offset, uint32_t length);
  /* New members go here. */
};
#define UBLK_BACKEND_OPS_INIT \
  { sizeof(struct ublk_backend_ops), 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/* ------------------------------------------------------------------------ */
/* Devices                                                                   */

typedef struct ublk_dev ublk_dev;

/* Creates a kernel device (ADD_DEV + SET_PARAMS) from `cfg`, served by
 * `ops`/`user_data`; it is not visible as a block device until
 * ublk_dev_start(). `cfg` and `ops` are copied and may be freed after the
 * call. On success the caller owns *out (release with ublk_dev_close); on
 * failure nothing is left in the kernel and free_user_data has been called.
 * Errors: -EINVAL (bad config or ops; nothing sent to the kernel),
 * -EOPNOTSUPP (the kernel lacks a requested feature), -ENOENT (driver not
 * loaded), -EPERM/-EACCES, -EEXIST (device id taken), -ETIMEDOUT, -ENOMEM.
 * Calling thread; blocks for the control commands. */
UBLK_API int ublk_dev_create(const ublk_config* cfg, const struct ublk_backend_ops* ops,
                             void* user_data, ublk_dev** out) UBLK_NOEXCEPT;

/* Starts serving: one thread per queue (pinned to the CPUs the kernel
 * reports for that queue), FETCH on every tag, START_DEV. Returns once
 * /dev/ublkbN exists. Backend callbacks begin before it returns. At most
 * once per device. Errors: -EINVAL (already started), -ETIMEDOUT, and the
 * kernel's START_DEV errors; after a failure only ublk_dev_close() is
 * useful. Owner thread. */
UBLK_API int ublk_dev_start(ublk_dev* dev) UBLK_NOEXCEPT;

/* Stops the device (STOP_DEV): the block device goes away, pending and new
 * requests fail, and when it returns no backend callback is running or will
 * run. Idempotent; a no-op for a device never started. Any thread, also
 * while another thread is in ublk_dev_wait(). Errors: -ETIMEDOUT. */
UBLK_API int ublk_dev_stop(ublk_dev* dev) UBLK_NOEXCEPT;

/* Blocks until the device stops serving: after ublk_dev_stop(), after
 * `ublk del` from another process, or at once if it was never started.
 * Any thread. Returns 0, or -EINVAL for a NULL dev. */
UBLK_API int ublk_dev_wait(ublk_dev* dev) UBLK_NOEXCEPT;

/* Stops the device if needed, releases threads, memory and files, deletes
 * the kernel device (DEL_DEV) and frees `dev` and, via free_user_data, the
 * backend's user_data. Always frees `dev`, even when it reports an error
 * (-ETIMEDOUT, -EBUSY if an async backend still holds requests: their memory
 * is then kept so late completions stay safe). NULL is a no-op. Owner
 * thread; not concurrently with other calls on `dev`. */
UBLK_API int ublk_dev_close(ublk_dev* dev) UBLK_NOEXCEPT;

/* Accessors. Any thread, valid until ublk_dev_close(). */
UBLK_API uint32_t ublk_dev_id(const ublk_dev* dev) UBLK_NOEXCEPT;
/* "/dev/ublkbN"; owned by `dev`. */
UBLK_API const char* ublk_dev_path(const ublk_dev* dev) UBLK_NOEXCEPT;
/* The flags the kernel negotiated at ADD_DEV (kernel uapi bit numbers). */
UBLK_API uint64_t ublk_dev_kernel_flags(const ublk_dev* dev) UBLK_NOEXCEPT;
UBLK_API uint32_t ublk_dev_nr_queues(const ublk_dev* dev) UBLK_NOEXCEPT;
UBLK_API uint32_t ublk_dev_depth(const ublk_dev* dev) UBLK_NOEXCEPT;
/* The data mode in use (UBLK_DATA_MODE_*, never AUTO). */
UBLK_API uint32_t ublk_dev_data_mode(const ublk_dev* dev) UBLK_NOEXCEPT;
/* 1 if the queues use batch I/O commands (ublk_config_set_batch_io), else 0. */
UBLK_API int ublk_dev_batch_io(const ublk_dev* dev) UBLK_NOEXCEPT;

/* Counters of the data path, summed over queues, for monitoring and tests. */
#define UBLK_COUNTER_REQUESTS 0u           /* requests received from the kernel */
#define UBLK_COUNTER_BAD_REQUESTS 1u       /* refused descriptors (never executed) */
#define UBLK_COUNTER_DOUBLE_COMPLETIONS 2u /* ublk_io_complete on a finished io */
#define UBLK_COUNTER_KERNEL_ERRORS 3u      /* failed FETCH/COMMIT completions */
/* Request bytes copied between the kernel's pages and a server buffer (by
 * the kernel into ublk_io_buf() in COPY modes, or by the library's
 * pread/pwrite). 0 for a FILE_OPS_ONLY backend in zero-copy mode. */
#define UBLK_COUNTER_BYTES_COPIED 4u
/* Stores counter `which` in *out. Errors: -EINVAL (unknown counter, NULL).
 * Any thread. */
UBLK_API int ublk_dev_counter(const ublk_dev* dev, uint32_t which, uint64_t* out) UBLK_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif /* UBLK_H */
