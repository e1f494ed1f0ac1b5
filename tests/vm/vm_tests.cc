// Real-kernel tests of the public C API, run inside the VM (needs ublk_drv
// and root). Each backend keeps its data in memory the test can inspect, so
// the tests prove that bytes went through the backend, not just through the
// page cache.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "ublk.h"

namespace {

constexpr uint64_t kSize = 64ull << 20;
constexpr uint32_t kMaxIo = 512 * 1024;

// A RAM disk backend whose memory the test reads and writes directly. The
// test and the queue threads hand data to each other through the kernel,
// which ThreadSanitizer cannot see; the mutex makes that order visible.
struct RamMemory {
  unsigned char* p = static_cast<unsigned char*>(
      mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ~RamMemory() { munmap(p, kSize); }
  unsigned char* data() { return p; }
};

struct Ram {
  RamMemory mem;  // untouched pages cost nothing (matters under TSan)
  std::mutex mu;
  std::atomic<int> frees{0};
  std::atomic<uint64_t> reads{0}, writes{0}, flushes{0};
  std::atomic<uint64_t> poison_off{UINT64_MAX};  // reads here fail with poison_err
  std::atomic<int32_t> poison_err{0};
};

int32_t RamRead(void* ud, ublk_io*, void* buf, uint32_t len, uint64_t off) {
  auto* r = static_cast<Ram*>(ud);
  r->reads++;
  const uint64_t poison = r->poison_off.load();
  if (off <= poison && poison < off + len) return r->poison_err.load();
  std::lock_guard<std::mutex> l(r->mu);
  std::memcpy(buf, r->mem.data() + off, len);
  return static_cast<int32_t>(len);
}
int32_t RamWrite(void* ud, ublk_io*, const void* buf, uint32_t len, uint64_t off) {
  auto* r = static_cast<Ram*>(ud);
  r->writes++;
  std::lock_guard<std::mutex> l(r->mu);
  std::memcpy(r->mem.data() + off, buf, len);
  return static_cast<int32_t>(len);
}

// The test's own view of backend memory, under the same lock.
bool RamEquals(Ram& ram, uint64_t off, const unsigned char* p, size_t len) {
  std::lock_guard<std::mutex> l(ram.mu);
  return std::memcmp(ram.mem.data() + off, p, len) == 0;
}
void RamFill(Ram& ram, uint64_t off, size_t len, uint32_t seed);
void RamFree(void* ud) { static_cast<Ram*>(ud)->frees++; }

void Fill(unsigned char* p, size_t n, uint32_t seed) {
  std::mt19937 g(seed);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(g());
}

void RamFill(Ram& ram, uint64_t off, size_t len, uint32_t seed) {
  std::lock_guard<std::mutex> l(ram.mu);
  Fill(ram.mem.data() + off, len, seed);
}

struct AlignedBuf {
  unsigned char* p = nullptr;
  explicit AlignedBuf(size_t n) {
    void* v = nullptr;
    if (posix_memalign(&v, 4096, n) == 0) p = static_cast<unsigned char*>(v);
  }
  ~AlignedBuf() { free(p); }
};

// Creates and starts a device; closes it (and checks free_user_data) at the end.
class Dev {
 public:
  Dev(const ublk_backend_ops& ops, void* ud, uint32_t queues = 2, uint32_t depth = 32,
      uint32_t mode = UBLK_DATA_MODE_COPY) {
    ublk_config* cfg = nullptr;
    EXPECT_EQ(ublk_config_new(&cfg), 0);
    EXPECT_EQ(ublk_config_set_data_mode(cfg, mode), 0);
    EXPECT_EQ(ublk_config_set_size(cfg, kSize), 0);
    EXPECT_EQ(ublk_config_set_queues(cfg, queues), 0);
    EXPECT_EQ(ublk_config_set_depth(cfg, depth), 0);
    EXPECT_EQ(ublk_config_set_max_io_size(cfg, kMaxIo), 0);
    int r = ublk_dev_create(cfg, &ops, ud, &dev_);
    ublk_config_free(cfg);
    EXPECT_EQ(r, 0) << ublk_last_error();
    if (r == 0) {
      r = ublk_dev_start(dev_);
      EXPECT_EQ(r, 0) << ublk_last_error();
    }
    ok_ = r == 0;
  }
  ~Dev() { EXPECT_EQ(ublk_dev_close(dev_), 0) << ublk_last_error(); }
  bool ok() const { return ok_; }
  ublk_dev* get() { return dev_; }
  const char* path() const { return ublk_dev_path(dev_); }

 private:
  ublk_dev* dev_ = nullptr;
  bool ok_ = false;
};

ublk_backend_ops RamOps() {
  ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  ops.read = RamRead;
  ops.write = RamWrite;
  ops.free_user_data = RamFree;
  return ops;
}

// O_DIRECT writes at `off` must land in backend memory, and bytes planted in
// backend memory must come back.
void DirectCase(Ram& ram, int fd, uint64_t off, size_t len, uint32_t seed) {
  AlignedBuf w(len), r(len);
  Fill(w.p, len, seed);
  ASSERT_EQ(pwrite(fd, w.p, len, static_cast<off_t>(off)), static_cast<ssize_t>(len))
      << "off=" << off << " len=" << len << " " << std::strerror(errno);
  EXPECT_TRUE(RamEquals(ram, off, w.p, len)) << "write missed the backend at " << off;
  RamFill(ram, off, len, seed + 1);
  ASSERT_EQ(pread(fd, r.p, len, static_cast<off_t>(off)), static_cast<ssize_t>(len));
  EXPECT_TRUE(RamEquals(ram, off, r.p, len)) << "read not from the backend at " << off;
}

TEST(Api, DirectIoRoundTrips) {
  Ram ram;
  {
    Dev dev(RamOps(), &ram);
    ASSERT_TRUE(dev.ok());
    int fd = open(dev.path(), O_RDWR | O_DIRECT);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    DirectCase(ram, fd, 0, 512, 1);                     // first sector
    DirectCase(ram, fd, kSize - 512, 512, 2);           // last sector
    DirectCase(ram, fd, 13 * 512, 7 * 512, 3);          // not page or buffer aligned
    DirectCase(ram, fd, 4096 - 512, 1024, 4);           // straddles a page
    DirectCase(ram, fd, 1 << 20, kMaxIo, 5);            // the largest single request
    DirectCase(ram, fd, 8 << 20, 4 * kMaxIo + 512, 6);  // split by the kernel
    AlignedBuf b(4096);
    EXPECT_EQ(pread(fd, b.p, 4096, static_cast<off_t>(kSize)), 0);  // EOF, not an error
    close(fd);
    uint64_t bad = 1;
    EXPECT_EQ(ublk_dev_counter(dev.get(), UBLK_COUNTER_BAD_REQUESTS, &bad), 0);
    EXPECT_EQ(bad, 0u);
    uint64_t reqs = 0;
    EXPECT_EQ(ublk_dev_counter(dev.get(), UBLK_COUNTER_REQUESTS, &reqs), 0);
    EXPECT_GE(reqs, 12u);
  }
  EXPECT_EQ(ram.frees.load(), 1);
}

TEST(Api, BufferedRoundTripReachesBackend) {
  Ram ram;
  Dev dev(RamOps(), &ram);
  ASSERT_TRUE(dev.ok());
  int fd = open(dev.path(), O_RDWR);
  ASSERT_GE(fd, 0);
  std::vector<unsigned char> w(3 * 4096 + 100), r(w.size());
  Fill(w.data(), w.size(), 7);
  const off_t off = 5 * 4096 + 17;
  ASSERT_EQ(pwrite(fd, w.data(), w.size(), off), static_cast<ssize_t>(w.size()));
  ASSERT_EQ(fsync(fd), 0);
  EXPECT_TRUE(RamEquals(ram, off, w.data(), w.size()));
  RamFill(ram, off, w.size(), 8);
  ASSERT_EQ(ioctl(fd, BLKFLSBUF, 0), 0);  // drop the page cache: next read hits the backend
  const uint64_t reads_before = ram.reads.load();
  ASSERT_EQ(pread(fd, r.data(), r.size(), off), static_cast<ssize_t>(r.size()));
  EXPECT_GT(ram.reads.load(), reads_before);
  EXPECT_TRUE(RamEquals(ram, off, r.data(), r.size()));
  close(fd);
}

TEST(Api, BackendErrnoReachesReader) {
  Ram ram;
  ram.poison_off = 4096;
  ram.poison_err = -ENOSPC;
  Dev dev(RamOps(), &ram, 1);
  ASSERT_TRUE(dev.ok());
  int fd = open(dev.path(), O_RDWR | O_DIRECT);
  ASSERT_GE(fd, 0);
  AlignedBuf b(4096);
  errno = 0;
  EXPECT_EQ(pread(fd, b.p, 4096, 4096), -1);
  EXPECT_EQ(errno, ENOSPC) << std::strerror(errno);
  ram.poison_err = -EIO;
  errno = 0;
  EXPECT_EQ(pread(fd, b.p, 4096, 4096), -1);
  EXPECT_EQ(errno, EIO);
  EXPECT_EQ(pread(fd, b.p, 4096, 8192), 4096);  // neighbours unaffected
  close(fd);
}

// An asynchronous backend that completes every request from its own thread.
struct AsyncRam {
  Ram ram;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<ublk_io*> q;
  bool stop = false;
  std::thread worker{[this] { Loop(); }};
  std::atomic<uint64_t> foreign_completions{0};

  void Loop() {
    for (;;) {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return stop || !q.empty(); });
      if (q.empty()) return;
      ublk_io* io = q.front();
      q.pop_front();
      l.unlock();
      const uint64_t off = ublk_io_offset(io);
      const uint32_t len = ublk_io_length(io);
      int32_t res = static_cast<int32_t>(len);
      {
        std::lock_guard<std::mutex> ml(ram.mu);
        if (ublk_io_op(io) == UBLK_OP_READ)
          std::memcpy(ublk_io_buf(io), ram.mem.data() + off, len);
        else if (ublk_io_op(io) == UBLK_OP_WRITE)
          std::memcpy(ram.mem.data() + off, ublk_io_buf(io), len);
        else
          res = -EOPNOTSUPP;
      }
      foreign_completions++;  // this is the worker, never a queue thread
      ublk_io_complete(io, res);
    }
  }
  ~AsyncRam() {
    {
      std::lock_guard<std::mutex> l(mu);
      stop = true;
    }
    cv.notify_all();
    worker.join();
  }
};

int32_t AsyncSubmit(void* ud, ublk_io* io) {
  auto* a = static_cast<AsyncRam*>(ud);
  {
    std::lock_guard<std::mutex> l(a->mu);
    a->q.push_back(io);
  }
  a->cv.notify_one();
  return 0;
}

TEST(Api, AsyncBackendCompletesFromItsOwnThread) {
  AsyncRam a;
  ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  ops.submit = AsyncSubmit;
  ops.free_user_data = RamFree;
  {
    Dev dev(ops, &a);
    ASSERT_TRUE(dev.ok());
    int fd = open(dev.path(), O_RDWR | O_DIRECT);
    ASSERT_GE(fd, 0);
    for (uint32_t i = 0; i < 16; ++i)
      DirectCase(a.ram, fd, i * 1000 * 512ull, 512 * (1 + i * 37 % 300), 100 + i);
    close(fd);
  }
  EXPECT_GE(a.foreign_completions.load(), 32u);
  EXPECT_EQ(a.ram.frees.load(), 1);
}

TEST(Api, StopFromAnotherThreadWakesWait) {
  Ram ram;
  Dev dev(RamOps(), &ram);
  ASSERT_TRUE(dev.ok());
  std::thread stopper([&] {
    usleep(200 * 1000);
    EXPECT_EQ(ublk_dev_stop(dev.get()), 0) << ublk_last_error();
  });
  EXPECT_EQ(ublk_dev_wait(dev.get()), 0);
  stopper.join();
  EXPECT_NE(access(dev.path(), F_OK), 0) << "block device still present after stop";
  EXPECT_EQ(ublk_dev_stop(dev.get()), 0);  // idempotent
}

TEST(Api, LifecycleMisuseIsRefused) {
  Ram ram;
  Dev dev(RamOps(), &ram);
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(ublk_dev_start(dev.get()), -EINVAL);
  EXPECT_NE(std::strstr(ublk_last_error(), "ublk_dev_start"), nullptr);
  const uint64_t ioctl_encode = 1ull << 6;  // always negotiated
  EXPECT_NE(ublk_dev_kernel_flags(dev.get()) & ioctl_encode, 0u);
  EXPECT_EQ(ublk_dev_nr_queues(dev.get()), 2u);
  EXPECT_EQ(ublk_dev_depth(dev.get()), 32u);
}

TEST(Api, TakenIdFailsCleanly) {
  Ram ram, other;
  Dev dev(RamOps(), &ram);
  ASSERT_TRUE(dev.ok());
  ublk_config* cfg = nullptr;
  ASSERT_EQ(ublk_config_new(&cfg), 0);
  ASSERT_EQ(ublk_config_set_size(cfg, kSize), 0);
  ASSERT_EQ(ublk_config_set_dev_id(cfg, static_cast<int32_t>(ublk_dev_id(dev.get()))), 0);
  ublk_dev* d2 = nullptr;
  ublk_backend_ops ops = RamOps();
  EXPECT_EQ(ublk_dev_create(cfg, &ops, &other, &d2), -EEXIST);
  EXPECT_NE(std::strstr(ublk_last_error(), "in use"), nullptr) << ublk_last_error();
  EXPECT_EQ(other.frees.load(), 1);
  ublk_config_free(cfg);
}

int32_t RamFlush(void* ud, ublk_io*) {
  static_cast<Ram*>(ud)->flushes++;
  return 0;
}

TEST(Api, FsyncReachesTheBackendFlush) {
  Ram ram;
  ublk_backend_ops ops = RamOps();
  ops.flush = RamFlush;  // => the device has a volatile write cache
  Dev dev(ops, &ram, 1);
  ASSERT_TRUE(dev.ok());
  int fd = open(dev.path(), O_RDWR);
  ASSERT_GE(fd, 0);
  std::vector<unsigned char> w(4096, 0x5a);
  ASSERT_EQ(pwrite(fd, w.data(), w.size(), 0), 4096);
  ASSERT_EQ(fsync(fd), 0);
  EXPECT_GE(ram.flushes.load(), 1u) << "fsync did not reach the backend";
  close(fd);
}

// An asynchronous C backend that forwards every request to a file with ring
// I/O (ublk_io_file_op): the mechanism the built-in file backend uses.
struct Forward {
  int fd = -1;
  std::atomic<int> wrong_thread_result{1};
  std::atomic<int> frees{0};
  std::atomic<int> buf_seen{0};  // a read/write request came with a buffer
};

int32_t ForwardSubmit(void* ud, ublk_io* io) {
  auto* f = static_cast<Forward*>(ud);
  uint32_t op = UBLK_FILE_OP_READ;
  switch (ublk_io_op(io)) {
    case UBLK_OP_READ: op = UBLK_FILE_OP_READ; break;
    case UBLK_OP_WRITE: op = UBLK_FILE_OP_WRITE; break;
    case UBLK_OP_FLUSH: op = UBLK_FILE_OP_FDATASYNC; break;
    default: return -EOPNOTSUPP;
  }
  const uint32_t flags = (ublk_io_flags(io) & UBLK_OP_FLAG_FUA) ? UBLK_FILE_F_DSYNC : 0;
  if (ublk_io_buf(io)) f->buf_seen = 1;
  if (f->wrong_thread_result.load() == 1) {  // once: the call is refused off the queue thread
    int r = 0;
    std::thread([&] { r = ublk_io_file_op(io, f->fd, op, 0, 0); }).join();
    f->wrong_thread_result = r;
  }
  return ublk_io_file_op(io, f->fd, op, ublk_io_offset(io), flags);
}

void ForwardFree(void* ud) { static_cast<Forward*>(ud)->frees++; }

// Forwards through `mode` (with `extra` backend flags); returns the bytes
// the library reported as copied, or ~0 if the device could not be made.
uint64_t ForwardRoundTrip(uint32_t mode, uint64_t extra, Forward* f) {
  ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  ops.submit = ForwardSubmit;
  ops.flags = UBLK_BACKEND_F_FLUSH | UBLK_BACKEND_F_FUA | extra;
  ops.free_user_data = ForwardFree;
  uint64_t copied = ~0ull;
  Dev dev(ops, f, 2, 32, mode);
  if (!dev.ok()) return copied;
  EXPECT_EQ(ublk_dev_data_mode(dev.get()), mode);
  int fd = open(dev.path(), O_RDWR | O_DIRECT);
  EXPECT_GE(fd, 0);
  AlignedBuf w(kMaxIo), r(kMaxIo);
  Fill(w.p, kMaxIo, 42 + mode);
  EXPECT_EQ(pwrite(fd, w.p, kMaxIo, 3 << 20), static_cast<ssize_t>(kMaxIo));
  EXPECT_EQ(fdatasync(fd), 0);
  EXPECT_EQ(pread(f->fd, r.p, kMaxIo, 3 << 20), static_cast<ssize_t>(kMaxIo));
  EXPECT_EQ(std::memcmp(w.p, r.p, kMaxIo), 0) << "write did not reach the file";
  Fill(w.p, 8192, 43 + mode);
  EXPECT_EQ(pwrite(f->fd, w.p, 8192, 9 << 20), 8192);
  EXPECT_EQ(pread(fd, r.p, 8192, 9 << 20), 8192);
  EXPECT_EQ(std::memcmp(w.p, r.p, 8192), 0) << "read did not come from the file";
  close(fd);
  EXPECT_EQ(ublk_dev_counter(dev.get(), UBLK_COUNTER_BYTES_COPIED, &copied), 0);
  EXPECT_EQ(f->buf_seen.load(), (extra & UBLK_BACKEND_F_FILE_OPS_ONLY) ? 0 : 1);
  return copied;
}

TEST(Api, RingIoForwardsToAFile) {
  Forward f;
  char path[] = "/tmp/ublk-forward-XXXXXX";
  f.fd = mkstemp(path);
  ASSERT_GE(f.fd, 0);
  unlink(path);
  ASSERT_EQ(ftruncate(f.fd, static_cast<off_t>(kSize)), 0);
  // Copy mode: every byte moved goes through the tag buffer (and the
  // kernel's partition scan reads some more).
  const uint64_t copied = ForwardRoundTrip(UBLK_DATA_MODE_COPY, 0, &f);
  EXPECT_GE(copied, kMaxIo + 8192);
  EXPECT_NE(copied, ~0ull);
  std::printf("copy mode: bytes copied by the library: %llu\n",
              static_cast<unsigned long long>(copied));
  EXPECT_EQ(f.wrong_thread_result.load(), -EINVAL);
  EXPECT_EQ(f.frees.load(), 1);
  close(f.fd);
}

// Zero copy: the same forwarding backend, marked FILE_OPS_ONLY, moves the
// data between the file and the request's own pages; the library copies
// nothing and hands out no buffer. Where GET_FEATURES lacks zero copy the
// device must be refused with EOPNOTSUPP naming the feature.
TEST(Api, ZeroCopyForwardingCopiesNothing) {
  uint64_t features = 0;
  ASSERT_EQ(ublk_get_features(&features), 0);
  for (uint32_t mode : {UBLK_DATA_MODE_ZERO_COPY, UBLK_DATA_MODE_ZERO_COPY_MANUAL}) {
    Forward f;
    char path[] = "/tmp/ublk-zc-XXXXXX";
    f.fd = mkstemp(path);
    ASSERT_GE(f.fd, 0);
    unlink(path);
    ASSERT_EQ(ftruncate(f.fd, static_cast<off_t>(kSize)), 0);
    if (!(features & 1)) {  // SUPPORT_ZERO_COPY
      ublk_config* cfg = nullptr;
      ASSERT_EQ(ublk_config_new(&cfg), 0);
      ASSERT_EQ(ublk_config_set_size(cfg, kSize), 0);
      ASSERT_EQ(ublk_config_set_data_mode(cfg, mode), 0);
      ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
      ops.submit = ForwardSubmit;
      ops.flags = UBLK_BACKEND_F_FILE_OPS_ONLY;
      ublk_dev* dev = nullptr;
      EXPECT_EQ(ublk_dev_create(cfg, &ops, &f, &dev), -EOPNOTSUPP);
      EXPECT_NE(std::strstr(ublk_last_error(), "SUPPORT_ZERO_COPY"), nullptr) << ublk_last_error();
      std::printf("refused as expected: %s\n", ublk_last_error());
      ublk_config_free(cfg);
    } else {
      const uint64_t copied = ForwardRoundTrip(mode, UBLK_BACKEND_F_FILE_OPS_ONLY, &f);
      std::printf("data mode %u: bytes copied by the library: %llu\n", mode,
                  static_cast<unsigned long long>(copied));
      EXPECT_EQ(copied, 0u);
      EXPECT_EQ(f.frees.load(), 1);
    }
    close(f.fd);
  }
}

// NEED_GET_DATA: writes arrive in two steps; the backends see the same API.
TEST(Api, NeedGetDataRoundTrips) {
  Ram ram;
  Dev dev(RamOps(), &ram, 2, 32, UBLK_DATA_MODE_NEED_GET_DATA);
  ASSERT_TRUE(dev.ok());
  EXPECT_NE(ublk_dev_kernel_flags(dev.get()) & (1ull << 2), 0u) << "NEED_GET_DATA not negotiated";
  int fd = open(dev.path(), O_RDWR | O_DIRECT);
  ASSERT_GE(fd, 0);
  DirectCase(ram, fd, 0, 512, 401);
  DirectCase(ram, fd, kSize - 4096, 4096, 402);
  DirectCase(ram, fd, 8 << 20, 3 * kMaxIo + 512, 403);
  close(fd);
  uint64_t copied = 0;
  EXPECT_EQ(ublk_dev_counter(dev.get(), UBLK_COUNTER_BYTES_COPIED, &copied), 0);
  EXPECT_GE(copied, 2 * (512 + 4096 + 3 * kMaxIo + 512ull));
}

// USER_COPY: the library moves the data with pread/pwrite on /dev/ublkcN;
// the backends see the same request API, sync and async.
TEST(Api, UserCopyRoundTrips) {
  Ram ram;
  {
    Dev dev(RamOps(), &ram, 2, 32, UBLK_DATA_MODE_USER_COPY);
    ASSERT_TRUE(dev.ok());
    EXPECT_NE(ublk_dev_kernel_flags(dev.get()) & (1ull << 7), 0u) << "USER_COPY not negotiated";
    int fd = open(dev.path(), O_RDWR | O_DIRECT);
    ASSERT_GE(fd, 0);
    DirectCase(ram, fd, 0, 512, 201);
    DirectCase(ram, fd, kSize - 4096, 4096, 202);
    DirectCase(ram, fd, 13 * 512, 7 * 512, 203);
    DirectCase(ram, fd, 1 << 20, kMaxIo, 204);
    DirectCase(ram, fd, 8 << 20, 3 * kMaxIo + 512, 205);
    close(fd);
  }
  AsyncRam a;
  ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  ops.submit = AsyncSubmit;
  Dev dev(ops, &a, 2, 32, UBLK_DATA_MODE_USER_COPY);
  ASSERT_TRUE(dev.ok());
  int fd = open(dev.path(), O_RDWR | O_DIRECT);
  ASSERT_GE(fd, 0);
  for (uint32_t i = 0; i < 8; ++i)
    DirectCase(a.ram, fd, i * 777 * 512ull, 512 * (1 + i * 53 % 200), 300 + i);
  close(fd);
}

// Block-layer attributes set through the C API, as sysfs shows them.
std::string QueueAttr(const char* dev_path, const char* attr) {
  const std::string p =
      std::string("/sys/block/") + (std::strrchr(dev_path, '/') + 1) + "/queue/" + attr;
  FILE* f = std::fopen(p.c_str(), "r");
  if (!f) return "missing";
  char line[128] = {};
  const bool ok = std::fgets(line, sizeof(line), f) != nullptr;
  std::fclose(f);
  std::string v = ok ? line : "";
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

int32_t NoDiscard(void*, ublk_io*, uint64_t, uint32_t) { return 0; }

TEST(Api, AttributesReachSysfs) {
  Ram ram;
  ublk_backend_ops ops = RamOps();
  ops.discard = NoDiscard;
  ublk_config* cfg = nullptr;
  ASSERT_EQ(ublk_config_new(&cfg), 0);
  ASSERT_EQ(ublk_config_set_size(cfg, kSize), 0);
  ASSERT_EQ(ublk_config_set_block_size(cfg, 512, 4096), 0);
  ASSERT_EQ(ublk_config_set_io_hints(cfg, 8192, 131072), 0);
  ASSERT_EQ(ublk_config_set_rotational(cfg, 1), 0);
  ublk_dev* dev = nullptr;
  ASSERT_EQ(ublk_dev_create(cfg, &ops, &ram, &dev), 0) << ublk_last_error();
  ublk_config_free(cfg);
  ASSERT_EQ(ublk_dev_start(dev), 0) << ublk_last_error();
  const char* p = ublk_dev_path(dev);
  EXPECT_EQ(QueueAttr(p, "logical_block_size"), "512");
  EXPECT_EQ(QueueAttr(p, "physical_block_size"), "4096");
  EXPECT_EQ(QueueAttr(p, "minimum_io_size"), "8192");
  EXPECT_EQ(QueueAttr(p, "optimal_io_size"), "131072");
  EXPECT_EQ(QueueAttr(p, "rotational"), "1");
  EXPECT_EQ(QueueAttr(p, "discard_granularity"), "4096");  // the physical block size
  EXPECT_NE(QueueAttr(p, "discard_max_bytes"), "0");
  EXPECT_EQ(QueueAttr(p, "write_zeroes_max_bytes"), "0");   // no write_zeroes callback
  EXPECT_EQ(QueueAttr(p, "write_cache"), "write through");  // no flush callback
  EXPECT_EQ(ublk_dev_close(dev), 0) << ublk_last_error();
}

TEST(Api, BadDataModesAndHintsAreRefused) {
  ublk_config* cfg = nullptr;
  ASSERT_EQ(ublk_config_new(&cfg), 0);
  EXPECT_EQ(ublk_config_set_data_mode(cfg, 77), -EINVAL);
  EXPECT_EQ(ublk_config_set_io_hints(cfg, 3000, 0), -EINVAL);
  ublk_config_free(cfg);
}

TEST(Api, FeaturesAreReported) {
  uint64_t f = 0;
  ASSERT_EQ(ublk_get_features(&f), 0) << ublk_last_error();
  EXPECT_NE(f, 0u);  // both test kernels (6.12, 7.x) have GET_FEATURES
  for (uint32_t bit = 0; bit < 64; ++bit)
    if (f & (1ull << bit)) {
      EXPECT_NE(ublk_feature_name(bit), nullptr) << "unknown bit " << bit;
    }
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
