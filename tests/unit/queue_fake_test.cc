// The queue's request path against a fake descriptor area: corrupt
// descriptors are completed with an error and counted, never executed;
// completions from other threads are committed once; in user copy a
// backend's memory (Backend::DataAt, and the C API's data_at) takes the
// data straight.
#include "queue/queue.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "capi/c_backend.h"
#include "gtest/gtest.h"
#include "uapi/encoding.h"
#include "util/unique_fd.h"

namespace ublk {
namespace {

constexpr uint16_t kDepth = 8;
constexpr uint32_t kBuf = 64 * 1024;
constexpr uint64_t kSectors = 2048;  // 1 MiB device

struct Commit {
  uapi::IoCmdOp op;
  uint16_t tag;
  int32_t result;
};

class RecordingSink : public Queue::CommandSink {
 public:
  void OnCommand(uapi::IoCmdOp op, uint16_t tag, int32_t result) override {
    commits.push_back({op, tag, result});
  }
  std::vector<Commit> commits;
};

// Counts what it executes; completes inline or hands the io to a thread.
class CountingBackend : public Backend {
 public:
  BackendCaps Caps() const override { return {.flush = true}; }
  void Submit(Io* io) override {
    executed++;
    if (defer) {
      deferred.push_back(io);
      return;
    }
    CompleteIo(io, io->req.op == uapi::kOpFlush ? 0 : static_cast<int32_t>(io->req.length));
  }
  std::atomic<int> executed{0};
  bool defer = false;
  std::vector<Io*> deferred;
};

class QueueFake : public ::testing::Test {
 protected:
  void SetUp() override { Build(uapi::DataPlan{}); }
  // (Re)builds the queue for data plan `plan`.
  void Build(const uapi::DataPlan& plan) {
    QueueConfig cfg;
    cfg.plan = plan;
    cfg.q_id = 0;
    cfg.depth = kDepth;
    cfg.buffer_bytes = kBuf;
    cfg.limits.dev_sectors = kSectors;
    cfg.limits.buffer_bytes = kBuf;
    cfg.limits.ops_mask =
        uapi::OpBit(uapi::kOpRead) | uapi::OpBit(uapi::kOpWrite) | uapi::OpBit(uapi::kOpFlush);
    queue_ = std::make_unique<Queue>(cfg, &backend_);
    ASSERT_TRUE(queue_->SetupForTesting(descs_, &sink_).ok());
  }
  void DeliverRes(uint16_t tag, uint32_t op, uint32_t nr, uint64_t start, int32_t res) {
    descs_[tag % kDepth] = {op, nr, start, 0};
    queue_->InjectCqeForTesting(
        uapi::EncodeUserData({.tag = tag, .kind = uapi::SqeKind::kUblkCmd, .aux = 0}), res);
  }
  uint64_t Copied() { return queue_->stats().bytes_copied.load(); }
  void Deliver(uint16_t tag, uint32_t op, uint32_t nr, uint64_t start) {
    descs_[tag % kDepth] = {op, nr, start, 0};
    queue_->InjectCqeForTesting(
        uapi::EncodeUserData({.tag = tag, .kind = uapi::SqeKind::kUblkCmd, .aux = 0}),
        uapi::kIoResOk);
  }
  uint64_t Bad() { return queue_->stats().bad_descriptors.load(); }

  uapi::IoDesc descs_[kDepth] = {};
  RecordingSink sink_;
  CountingBackend backend_;
  std::unique_ptr<Queue> queue_;
};

TEST_F(QueueFake, GoodRequestIsExecutedAndCommitted) {
  Deliver(3, uapi::kOpRead, 8, 100);
  ASSERT_EQ(sink_.commits.size(), 1u);
  EXPECT_EQ(sink_.commits[0].op, uapi::IoCmdOp::kCommitAndFetchReq);
  EXPECT_EQ(sink_.commits[0].tag, 3);
  EXPECT_EQ(sink_.commits[0].result, 4096);
  EXPECT_EQ(backend_.executed.load(), 1);
  EXPECT_EQ(Bad(), 0u);
}

TEST_F(QueueFake, CorruptDescriptorsAreRefusedNotExecuted) {
  Deliver(0, uapi::kOpWrite, 8, kSectors - 4);   // past the end
  Deliver(1, uapi::kOpRead, kBuf / 512 + 1, 0);  // larger than the buffer
  Deliver(2, 0x7f, 8, 0);                        // unknown op
  Deliver(3, uapi::kOpDiscard, 8, 0);            // not advertised
  Deliver(4, uapi::kOpFlush, 8, 0);              // flush with a range
  ASSERT_EQ(sink_.commits.size(), 5u);
  EXPECT_EQ(sink_.commits[0].result, -EINVAL);
  EXPECT_EQ(sink_.commits[1].result, -EINVAL);
  EXPECT_EQ(sink_.commits[2].result, -EOPNOTSUPP);
  EXPECT_EQ(sink_.commits[3].result, -EOPNOTSUPP);
  EXPECT_EQ(sink_.commits[4].result, -EINVAL);
  EXPECT_EQ(backend_.executed.load(), 0);
  EXPECT_EQ(Bad(), 5u);
  EXPECT_EQ(queue_->backend_inflight(), 0u);
}

TEST_F(QueueFake, TagOutOfRangeIsAViolationNotARequest) {
  Deliver(kDepth + 5, uapi::kOpRead, 8, 0);
  queue_->InjectCqeForTesting(0xff00000000000000ull, 0);  // undecodable user_data
  EXPECT_TRUE(sink_.commits.empty());
  EXPECT_EQ(backend_.executed.load(), 0);
  EXPECT_EQ(queue_->stats().protocol_violations.load(), 2u);
}

TEST_F(QueueFake, CqeForATagTheServerOwnsIsIgnored) {
  backend_.defer = true;
  Deliver(2, uapi::kOpRead, 8, 0);
  Deliver(2, uapi::kOpRead, 8, 0);  // the kernel cannot hand out tag 2 twice
  EXPECT_EQ(backend_.executed.load(), 1);
  EXPECT_TRUE(sink_.commits.empty());
  EXPECT_EQ(queue_->stats().protocol_violations.load(), 1u);
}

TEST_F(QueueFake, AbortKillsTags) {
  for (uint16_t t = 0; t < kDepth; ++t)
    queue_->InjectCqeForTesting(
        uapi::EncodeUserData({.tag = t, .kind = uapi::SqeKind::kUblkCmd, .aux = 0}),
        uapi::kIoResAbort);
  EXPECT_EQ(queue_->live_tags(), 0u);
  EXPECT_TRUE(sink_.commits.empty());
}

TEST_F(QueueFake, ForeignCompletionsCommitOnceEvenIfRepeated) {
  backend_.defer = true;
  for (uint16_t t = 0; t < kDepth; ++t) Deliver(t, uapi::kOpWrite, 8, t * 8u);
  ASSERT_EQ(backend_.deferred.size(), kDepth);
  std::vector<std::thread> threads;
  for (int k = 0; k < 2; ++k)  // two threads race to complete every request
    threads.emplace_back([&] {
      for (Io* io : backend_.deferred) CompleteIo(io, 4096);
    });
  for (auto& t : threads) t.join();
  queue_->DrainForTesting();
  ASSERT_EQ(sink_.commits.size(), kDepth);
  for (const Commit& c : sink_.commits) EXPECT_EQ(c.result, 4096);
  EXPECT_EQ(queue_->stats().double_completions.load(), kDepth);
  EXPECT_EQ(queue_->backend_inflight(), 0u);
}

TEST_F(QueueFake, BadBackendResultsBecomeEio) {
  backend_.defer = true;
  Deliver(0, uapi::kOpRead, 8, 0);
  Deliver(1, uapi::kOpRead, 8, 0);
  Deliver(2, uapi::kOpRead, 8, 0);
  CompleteIo(backend_.deferred[0], 8192);     // more than asked
  CompleteIo(backend_.deferred[1], 0);        // nothing done
  CompleteIo(backend_.deferred[2], -100000);  // not an errno
  ASSERT_EQ(sink_.commits.size(), 3u);
  for (const Commit& c : sink_.commits) EXPECT_EQ(c.result, -EIO);
}

// Copy mode: the kernel copies every written byte in and every read byte
// out of the tag buffers; the counter says so.
TEST_F(QueueFake, CopyModeCountsBytesCopied) {
  Deliver(0, uapi::kOpWrite, 8, 0);
  EXPECT_EQ(Copied(), 4096u);
  Deliver(0, uapi::kOpRead, 16, 8);
  EXPECT_EQ(Copied(), 4096u + 8192u);
  Deliver(0, uapi::kOpFlush, 0, 0);
  EXPECT_EQ(Copied(), 4096u + 8192u);
}

// NEED_GET_DATA: a WRITE first arrives with res=1; the queue asks for the
// data and dispatches only when the kernel has copied it (res=0).
TEST_F(QueueFake, NeedGetDataFetchesWriteDataBeforeDispatch) {
  Build(uapi::DataPlan{.mode = uapi::DataMode::kNeedGetData, .flags = uapi::kFNeedGetData});
  DeliverRes(3, uapi::kOpWrite, 8, 0, uapi::kIoResNeedGetData);
  EXPECT_EQ(backend_.executed.load(), 0);
  ASSERT_EQ(sink_.commits.size(), 1u);
  EXPECT_EQ(sink_.commits[0].op, uapi::IoCmdOp::kNeedGetData);
  EXPECT_EQ(sink_.commits[0].tag, 3);
  DeliverRes(3, uapi::kOpWrite, 8, 0, uapi::kIoResOk);
  EXPECT_EQ(backend_.executed.load(), 1);
  ASSERT_EQ(sink_.commits.size(), 2u);
  EXPECT_EQ(sink_.commits[1].op, uapi::IoCmdOp::kCommitAndFetchReq);
  EXPECT_EQ(sink_.commits[1].result, 4096);
  EXPECT_EQ(queue_->live_tags(), kDepth);
}

// Without NEED_GET_DATA negotiated, res=1 is a kernel error: the tag dies.
TEST_F(QueueFake, NeedGetDataResultWithoutTheModeKillsTheTag) {
  DeliverRes(2, uapi::kOpWrite, 8, 0, uapi::kIoResNeedGetData);
  EXPECT_EQ(backend_.executed.load(), 0);
  EXPECT_TRUE(sink_.commits.empty());
  EXPECT_EQ(queue_->live_tags(), kDepth - 1);
  EXPECT_EQ(queue_->stats().kernel_errors.load(), 1u);
}

// Zero copy with a file-ops-only backend: no tag buffers exist, the backend
// sees no data pointer, and no byte is counted as copied.
TEST_F(QueueFake, ZeroCopyFileOpsHaveNoBuffersAndCopyNothing) {
  Build(uapi::DataPlan{.mode = uapi::DataMode::kZeroCopy,
                       .flags = uapi::kFSupportZeroCopy | uapi::kFAutoBufReg,
                       .auto_buf_reg = true,
                       .zero_copy_file_ops = true});
  struct NoBuf : Backend {
    BackendCaps Caps() const override { return {.file_ops_only = true}; }
    void Submit(Io* io) override {
      saw_buf |= io->buf != nullptr;
      CompleteIo(io, static_cast<int32_t>(io->req.length));
    }
    bool saw_buf = false;
  } nobuf;
  QueueConfig cfg;
  cfg.depth = kDepth;
  cfg.buffer_bytes = kBuf;
  cfg.limits.dev_sectors = kSectors;
  cfg.limits.buffer_bytes = kBuf;
  cfg.limits.ops_mask = uapi::OpBit(uapi::kOpRead) | uapi::OpBit(uapi::kOpWrite);
  cfg.plan = uapi::DataPlan{.mode = uapi::DataMode::kZeroCopy, .zero_copy_file_ops = true};
  Queue q(cfg, &nobuf);
  ASSERT_TRUE(q.SetupForTesting(descs_, &sink_).ok());
  for (uint32_t op : {uapi::kOpWrite, uapi::kOpRead}) {
    descs_[1] = {op, 8, 0, 0};
    q.InjectCqeForTesting(
        uapi::EncodeUserData({.tag = 1, .kind = uapi::SqeKind::kUblkCmd, .aux = 0}),
        uapi::kIoResOk);
  }
  EXPECT_FALSE(nobuf.saw_buf);
  EXPECT_EQ(q.stats().bytes_copied.load(), 0u);
  EXPECT_EQ(q.stats().requests.load(), 2u);
}

// Zero copy, automatic registration: a request the kernel could not
// register (UBLK_IO_F_NEED_REG_BUF) is marked for registration by hand;
// the others are not. In manual mode every request is.
TEST_F(QueueFake, NeedRegBufFallbackMarksTheRequest) {
  struct Probe : Backend {
    BackendCaps Caps() const override { return {.file_ops_only = true}; }
    void Submit(Io* io) override {
      marked.push_back(io->needs_reg);
      CompleteIo(io, static_cast<int32_t>(io->req.length));
    }
    std::vector<bool> marked;
  };
  for (const bool manual : {false, true}) {
    Probe probe;
    QueueConfig cfg;
    cfg.depth = kDepth;
    cfg.buffer_bytes = kBuf;
    cfg.limits.dev_sectors = kSectors;
    cfg.limits.buffer_bytes = kBuf;
    cfg.limits.ops_mask = uapi::OpBit(uapi::kOpRead);
    cfg.plan =
        uapi::DataPlan{.mode = manual ? uapi::DataMode::kZeroCopyManual : uapi::DataMode::kZeroCopy,
                       .auto_buf_reg = !manual,
                       .zero_copy_file_ops = true};
    Queue q(cfg, &probe);
    ASSERT_TRUE(q.SetupForTesting(descs_, &sink_).ok());
    for (uint32_t flags : {0u, uapi::kIoFNeedRegBuf}) {
      descs_[2] = {uapi::kOpRead | flags, 8, 0, 0};
      q.InjectCqeForTesting(
          uapi::EncodeUserData({.tag = 2, .kind = uapi::SqeKind::kUblkCmd, .aux = 0}),
          uapi::kIoResOk);
    }
    ASSERT_EQ(probe.marked.size(), 2u);
    EXPECT_EQ(probe.marked[0], manual) << "no fallback flag";
    EXPECT_TRUE(probe.marked[1]) << "NEED_REG_BUF";
  }
}

// A user-copy queue whose char device is a memfd: each tag's request data
// sits at its encoded user-copy offset there, so a test puts a WRITE's data
// in with pwrite and finds a READ's result with pread.
class UserCopyRig {
 public:
  explicit UserCopyRig(Backend* backend) : cdev_(memfd_create("fake-ublkc", MFD_CLOEXEC)) {
    EXPECT_TRUE(cdev_.valid());
    QueueConfig cfg;
    cfg.depth = kDepth;
    cfg.buffer_bytes = kBuf;
    cfg.cdev_fd = cdev_.get();
    cfg.limits.dev_sectors = kSectors;
    cfg.limits.buffer_bytes = kBuf;
    cfg.limits.ops_mask = uapi::OpBit(uapi::kOpRead) | uapi::OpBit(uapi::kOpWrite);
    cfg.plan = uapi::DataPlan{
        .mode = uapi::DataMode::kUserCopy, .flags = uapi::kFUserCopy, .server_copies = true};
    queue_ = std::make_unique<Queue>(cfg, backend);
    EXPECT_TRUE(queue_->SetupForTesting(descs_, &sink).ok());
    EXPECT_EQ(ftruncate(cdev_.get(), Pos(kDepth - 1) + kBuf), 0);  // every tag's data
  }

  // 4 KiB at sector 16; `op` may carry kIoF* flags.
  void Deliver(uint16_t tag, uint32_t op) {
    descs_[tag] = {op, 8, 16, 0};
    queue_->InjectCqeForTesting(
        uapi::EncodeUserData({.tag = tag, .kind = uapi::SqeKind::kUblkCmd, .aux = 0}),
        uapi::kIoResOk);
  }
  // The request's data of `tag` in the char device, as the kernel sees it.
  void PutRequestData(uint16_t tag, const char (&data)[4096]) {
    EXPECT_EQ(pwrite(cdev_.get(), data, sizeof(data), Pos(tag)), 4096);
  }
  void GetRequestData(uint16_t tag, char (&data)[4096]) {
    EXPECT_EQ(pread(cdev_.get(), data, sizeof(data), Pos(tag)), 4096);
  }
  Queue& queue() { return *queue_; }

  RecordingSink sink;

 private:
  static off_t Pos(uint16_t tag) {
    uint64_t p = 0;
    EXPECT_TRUE(uapi::EncodeUserCopyPos(0, tag, 0, &p));
    return static_cast<off_t>(p);
  }

  UniqueFd cdev_;
  uapi::IoDesc descs_[kDepth] = {};
  std::unique_ptr<Queue> queue_;
};

// 4 KiB that tell where they came from.
void FillPattern(char (&data)[4096], int seed) {
  for (size_t i = 0; i < sizeof(data); ++i) data[i] = static_cast<char>(i * 7 + seed);
}

// User copy with a backend whose data is in memory (Backend::DataAt): the
// queue moves READ and WRITE data with one pread/pwrite on the char device
// straight between the request and the backend's memory, without Submit;
// memory the kernel cannot copy to (EFAULT) sends the request through
// Submit instead.
TEST_F(QueueFake, UserCopyMovesDataStraightIntoBackendMemory) {
  struct Ram : Backend {
    BackendCaps Caps() const override { return {.data_in_memory = true}; }
    void Submit(Io* io) override {
      submitted++;
      CompleteIo(io, static_cast<int32_t>(io->req.length));
    }
    void* DataAt(const uapi::Request& req) override {
      return unmapped ? unmapped : data.data() + req.offset;
    }
    std::vector<char> data = std::vector<char>(kSectors * 512, 0);
    void* unmapped = nullptr;
    int submitted = 0;
  } ram;
  UserCopyRig rig(&ram);
  char pattern[4096];
  FillPattern(pattern, 1);
  rig.PutRequestData(1, pattern);

  rig.Deliver(1, uapi::kOpWrite);  // the request's data lands in the RAM
  EXPECT_EQ(std::memcmp(ram.data.data() + 16 * 512, pattern, 4096), 0);
  rig.Deliver(2, uapi::kOpRead);  // and comes back from it into the request
  char back[4096] = {};
  rig.GetRequestData(2, back);
  EXPECT_EQ(std::memcmp(back, pattern, 4096), 0);
  EXPECT_EQ(ram.submitted, 0);
  EXPECT_EQ(rig.queue().stats().bytes_copied.load(), 8192u);

  // Memory the copy faults on: the request goes through Submit, and succeeds.
  void* none = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(none, MAP_FAILED);
  ram.unmapped = none;
  rig.Deliver(3, uapi::kOpRead);
  rig.Deliver(4, uapi::kOpWrite);
  EXPECT_EQ(ram.submitted, 2);
  ASSERT_EQ(rig.sink.commits.size(), 4u);
  for (const Commit& c : rig.sink.commits) EXPECT_EQ(c.result, 4096) << "tag " << c.tag;
  EXPECT_EQ(rig.queue().backend_inflight(), 0u);
  munmap(none, 4096);
}

// A C backend (struct ublk_backend_ops) whose data_at answers from a
// malloc'd buffer, counting what the library asks of it.
struct CRam {
  CRam() : mem(static_cast<char*>(std::calloc(kSectors * 512, 1))) {}
  ~CRam() { std::free(mem); }
  CRam(const CRam&) = delete;
  CRam& operator=(const CRam&) = delete;

  char* mem;
  bool refuse = false;  // data_at answers NULL
  int asked = 0;        // data_at calls
  int normal = 0;       // read/write/submit calls
  uint32_t op = ~0u;    // of the last data_at call
  uint32_t flags = ~0u;
};

CRam* RamOf(void* ud) { return static_cast<CRam*>(ud); }

void* CRamDataAt(void* ud, uint32_t op, uint32_t flags, uint64_t offset, uint32_t /*length*/) {
  CRam* r = RamOf(ud);
  r->asked++;
  r->op = op;
  r->flags = flags;
  return r->refuse ? nullptr : r->mem + offset;
}

int32_t CRamRead(void* ud, ublk_io* /*io*/, void* buf, uint32_t length, uint64_t offset) {
  RamOf(ud)->normal++;
  std::memcpy(buf, RamOf(ud)->mem + offset, length);
  return static_cast<int32_t>(length);
}

int32_t CRamWrite(void* ud, ublk_io* /*io*/, const void* buf, uint32_t length, uint64_t offset) {
  RamOf(ud)->normal++;
  std::memcpy(RamOf(ud)->mem + offset, buf, length);
  return static_cast<int32_t>(length);
}

int32_t CRamSubmit(void* ud, ublk_io* io) {
  const uint32_t n = ublk_io_length(io);
  const uint64_t off = ublk_io_offset(io);
  const int32_t r = ublk_io_op(io) == UBLK_OP_READ ? CRamRead(ud, io, ublk_io_buf(io), n, off)
                                                   : CRamWrite(ud, io, ublk_io_buf(io), n, off);
  ublk_io_complete(io, r);
  return 0;
}

ublk_backend_ops CRamOps(bool async) {
  ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  if (async) {
    ops.submit = CRamSubmit;
  } else {
    ops.read = CRamRead;
    ops.write = CRamWrite;
  }
  ops.data_at = CRamDataAt;
  return ops;
}

// data_at through the C API, in both forms: a WRITE lands in the backend's
// memory and a READ comes back from it with neither read/write nor submit
// called; a NULL answer takes the normal way, with the same bytes.
TEST(CBackendDataAt, UserCopyGoesStraightToTheMemoryInBothForms) {
  for (const bool async : {false, true}) {
    SCOPED_TRACE(async ? "async" : "sync");
    CRam ram;
    const ublk_backend_ops ops = CRamOps(async);
    auto backend = capi::MakeCBackend(&ops, &ram);
    ASSERT_TRUE(backend.ok()) << backend.status();
    EXPECT_TRUE((*backend)->Caps().data_in_memory);
    UserCopyRig rig(backend->get());
    char data[4096];
    char back[4096] = {};
    FillPattern(data, 3);
    rig.PutRequestData(1, data);
    rig.Deliver(1, uapi::kOpWrite | uapi::kIoFFua);
    EXPECT_EQ(std::memcmp(ram.mem + 16 * 512, data, 4096), 0);
    EXPECT_EQ(ram.op, UBLK_OP_WRITE);
    EXPECT_EQ(ram.flags, UBLK_OP_FLAG_FUA);
    rig.Deliver(2, uapi::kOpRead);
    rig.GetRequestData(2, back);
    EXPECT_EQ(std::memcmp(back, data, 4096), 0);
    EXPECT_EQ(ram.op, UBLK_OP_READ);
    EXPECT_EQ(ram.asked, 2);
    EXPECT_EQ(ram.normal, 0);

    ram.refuse = true;
    FillPattern(data, 5);
    rig.PutRequestData(3, data);
    rig.Deliver(3, uapi::kOpWrite);
    rig.Deliver(4, uapi::kOpRead);
    rig.GetRequestData(4, back);
    EXPECT_EQ(std::memcmp(back, data, 4096), 0);
    EXPECT_EQ(ram.asked, 4);
    EXPECT_EQ(ram.normal, 2);
    ASSERT_EQ(rig.sink.commits.size(), 4u);
    for (const Commit& c : rig.sink.commits) EXPECT_EQ(c.result, 4096) << "tag " << c.tag;
  }
}

// A caller built before data_at existed passes a struct_size that ends at
// submit: whatever lies beyond is not read, and requests take the normal
// way. A size ending inside the member holds part of a pointer: ignored too.
TEST(CBackendDataAt, OlderStructSizeLeavesItOut) {
  for (const uint64_t size :
       {uint64_t{offsetof(ublk_backend_ops, data_at)}, offsetof(ublk_backend_ops, data_at) + 4}) {
    CRam ram;
    ublk_backend_ops ops = CRamOps(false);
    ops.struct_size = size;
    auto backend = capi::MakeCBackend(&ops, &ram);
    ASSERT_TRUE(backend.ok()) << backend.status();
    EXPECT_FALSE((*backend)->Caps().data_in_memory);
    UserCopyRig rig(backend->get());
    rig.Deliver(1, uapi::kOpWrite);
    rig.Deliver(2, uapi::kOpRead);
    EXPECT_EQ(ram.asked, 0) << size;
    EXPECT_EQ(ram.normal, 2) << size;
  }
}

}  // namespace
}  // namespace ublk
