#include "queue/queue.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "queue/queue_group.h"
#include "uapi/encoding.h"
#include "util/bump.h"
#include "util/status.h"

namespace ublk {
namespace {

// The ring owner (QueueGroup) this thread serves, if any.
thread_local const void* t_serving = nullptr;

size_t PageRound(size_t n) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return (n + page - 1) / page * page;
}

}  // namespace

void CompleteIo(Io* io, int32_t result) noexcept { io->queue->Complete(io, result); }

int SubmitFileOp(Io* io, int fd, FileOp op, uint64_t offset, bool dsync) noexcept {
  return io->queue->SubmitFileOp(io, fd, op, offset, dsync);
}

Queue::Queue(const QueueConfig& config, Backend* backend)
    : cfg_(config),
      backend_(backend),
      ios_(config.depth),
      tags_(config.depth, config.plan.mode == uapi::DataMode::kNeedGetData) {
  for (uint16_t t = 0; t < cfg_.depth; ++t) {
    ios_[t].queue = this;
    ios_[t].q_id = cfg_.q_id;
    ios_[t].tag = t;
  }
  if (cfg_.plan.batch_io) {
    batch_ = std::make_unique<BatchCmds>(cfg_.q_id, cfg_.depth, uapi::BatchElemFlags(cfg_.plan),
                                         cfg_.member, cfg_.slot_base);
    fetched_.resize(batch_->max_tags_per_cqe());
  }
}

Queue::~Queue() { ReleaseMemory(); }

void Queue::SetServingOwner(const void* owner) { t_serving = owner; }

uint64_t Queue::Ud(uapi::SqeKind kind, uint16_t tag, uint32_t aux) const {
  return uapi::EncodeUserData({.tag = tag, .kind = kind, .aux = aux, .queue = cfg_.member});
}

void Queue::ReleaseMemory() {
  ring_ = nullptr;
  if (descs_ && !sink_) munmap(const_cast<uapi::IoDesc*>(descs_), descs_len_);
  descs_ = nullptr;
  if (bufs_) munmap(bufs_, bufs_len_);
  bufs_ = nullptr;
}

absl::Status Queue::MapDescriptors() {
  descs_len_ = PageRound(size_t{cfg_.depth} * sizeof(uapi::IoDesc));
  const off_t off = static_cast<off_t>(
      uapi::kCmdBufOffset +
      size_t{cfg_.q_id} * PageRound(size_t{uapi::kMaxQueueDepth} * sizeof(uapi::IoDesc)));
  void* p = mmap(nullptr, descs_len_, PROT_READ, MAP_SHARED | MAP_POPULATE, cfg_.cdev_fd, off);
  if (p == MAP_FAILED) {
    descs_len_ = 0;
    return ErrnoError(errno,
                      absl::StrCat("queue ", cfg_.q_id, ": mmap of the descriptor array failed"));
  }
  descs_ = static_cast<const uapi::IoDesc*>(p);
  return absl::OkStatus();
}

absl::Status Queue::AllocBuffers() {
  if (cfg_.plan.zero_copy_file_ops) return absl::OkStatus();  // data never visits us
  bufs_len_ = size_t{cfg_.depth} * PageRound(cfg_.buffer_bytes);
  void* p = mmap(nullptr, bufs_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    bufs_len_ = 0;
    return ErrnoError(ENOMEM, absl::StrCat("queue ", cfg_.q_id, ": cannot allocate ", cfg_.depth,
                                           " I/O buffers"));
  }
  bufs_ = p;
  for (uint16_t t = 0; t < cfg_.depth; ++t)
    ios_[t].buf = static_cast<char*>(bufs_) + size_t{t} * PageRound(cfg_.buffer_bytes);
  return absl::OkStatus();
}

absl::Status Queue::Setup(QueueGroup* group) {
  group_ = group;
  ring_ = group->ring();
  owner_ = group;
  SetServingOwner(group);
  absl::Status s = MapDescriptors();
  if (s.ok()) s = AllocBuffers();
  if (s.ok()) {
    wake_fd_.Reset(eventfd(0, EFD_CLOEXEC));
    if (!wake_fd_.valid()) s = ErrnoError(errno, "eventfd failed");
  }
  if (s.ok() && batch_) s = batch_->Init(ring_);
  if (s.ok() && batch_) s = SetupBatch();
  if (!s.ok()) return s;
  ArmWakeup();
  if (batch_)
    ArmFetch();
  else
    for (uint16_t t = 0; t < cfg_.depth; ++t) QueueUblkCmd(uapi::IoCmdOp::kFetchReq, t, 0);
  const int r = io_uring_submit(ring_);
  if (r < 0) return ErrnoError(-r, absl::StrCat("queue ", cfg_.q_id, ": submitting FETCH failed"));
  return absl::OkStatus();
}

io_uring_sqe* Queue::GetSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(ring_);
  if (!sqe) {  // SQ full: flush what is queued (rare; ring sized for 4x depth)
    io_uring_submit(ring_);
    sqe = io_uring_get_sqe(ring_);
  }
  return sqe;
}

// A URING_CMD `op` on the char device (fixed file 0), payload left zero: the
// SQE, or nullptr if the ring has no room (unreachable after the flush in
// GetSqe; a tag would then stay owned).
io_uring_sqe* Queue::PrepCdevCmd(uapi::IoCmdOp op, uint64_t user_data) {
  io_uring_sqe* sqe = GetSqe();
  if (!sqe) return nullptr;
  std::memset(sqe, 0, sizeof(*sqe));
  sqe->opcode = IORING_OP_URING_CMD;
  sqe->fd = 0;  // registered file index of /dev/ublkcN
  sqe->flags = IOSQE_FIXED_FILE;
  sqe->cmd_op = static_cast<uint32_t>(op);
  sqe->user_data = user_data;
  return sqe;
}

// One per-tag ublk I/O command for `tag` (see PrepCdevCmd).
io_uring_sqe* Queue::PrepIoCmd(uapi::IoCmdOp op, uint16_t tag, int32_t result, uint64_t addr,
                               uint64_t user_data) {
  io_uring_sqe* sqe = PrepCdevCmd(op, user_data);
  if (!sqe) return nullptr;
  uapi::IoCmd cmd{};
  cmd.q_id = cfg_.q_id;
  cmd.tag = tag;
  cmd.result = result;
  cmd.addr = addr;
  std::memcpy(sqe->cmd, &cmd, sizeof(cmd));
  return sqe;
}

uint64_t Queue::BufAddr(uint16_t tag) const {
  return cfg_.plan.kernel_copies() ? reinterpret_cast<uintptr_t>(ios_[tag].buf) : 0;
}

void Queue::QueueUblkCmd(uapi::IoCmdOp op, uint16_t tag, int32_t result) {
  if (sink_) return sink_->OnCommand(op, tag, result);
  if (batch_) {  // a commit: leaves with the next COMMIT_IO_CMDS (SendCommits)
    batch_->Add(tag, result, BufAddr(tag));
    return;
  }
  io_uring_sqe* sqe = PrepIoCmd(op, tag, result, BufAddr(tag), Ud(uapi::SqeKind::kUblkCmd, tag));
  if (sqe && cfg_.plan.auto_buf_reg && op != uapi::IoCmdOp::kNeedGetData)
    sqe->addr = uapi::EncodeAutoBufReg(Slot(tag), uapi::kAutoBufRegFallback);
}

// Zero copy by hand: REGISTER_IO_BUF / UNREGISTER_IO_BUF put the request's
// pages into (or take them out of) the tag's sparse-table slot. A successful one
// posts no CQE; a failed one is counted (and fails a linked op).
void Queue::QueueBufCmd(uapi::IoCmdOp op, uint16_t tag, bool link) {
  const bool reg = op == uapi::IoCmdOp::kRegisterIoBuf;
  io_uring_sqe* sqe = PrepIoCmd(op, tag, 0, /*addr=sparse-table slot*/ Slot(tag),
                                Ud(uapi::SqeKind::kBufCmd, tag, reg));
  if (sqe) sqe->flags |= IOSQE_CQE_SKIP_SUCCESS | (link ? IOSQE_IO_LINK : 0);
}

void Queue::ArmWakeup() {
  io_uring_sqe* sqe = GetSqe();
  if (!sqe) return;
  io_uring_prep_read(sqe, wake_fd_.get(), &wake_buf_, sizeof(wake_buf_), 0);
  sqe->user_data = Ud(uapi::SqeKind::kWakeup, 0);
  wake_armed_ = true;
}

void Queue::BeforeSubmit() {
  if (batch_) SendCommits();
}

void Queue::FlushAtExit() {
  if (batch_) FlushCommitsAtExit();
}

void Queue::HandleCqe(const io_uring_cqe* cqe) {
  uapi::UserData ud;
  if (!uapi::DecodeUserData(cqe->user_data, &ud) || ud.queue != cfg_.member) {
    Bump(stats_.protocol_violations, uint64_t{1});
    return;
  }
  switch (ud.kind) {
    case uapi::SqeKind::kUblkCmd:
      switch (tags_.OnCqe(ud.tag, cqe->res)) {
        case TagStates::Action::kDispatch: Dispatch(ud.tag); break;
        case TagStates::Action::kGetData:  // a WRITE: let the kernel fill the buffer
          QueueUblkCmd(uapi::IoCmdOp::kNeedGetData, ud.tag, 0);
          break;
        case TagStates::Action::kIgnore: Bump(stats_.protocol_violations, uint64_t{1}); break;
        case TagStates::Action::kDied:
          if (cqe->res != uapi::kIoResAbort) Bump(stats_.kernel_errors, uint64_t{1});
          break;
      }
      break;
    case uapi::SqeKind::kWakeup:
      wake_armed_ = false;
      DrainForeignCompletions();
      if (!exit_requested_.load(std::memory_order_acquire)) ArmWakeup();
      break;
    case uapi::SqeKind::kBackend:  // ring I/O a backend issued for this tag
      if (ud.tag < cfg_.depth) {
        Io* io = &ios_[ud.tag];
        if (!io->completing.exchange(true, std::memory_order_acq_rel))
          FinishOnThread(io, cqe->res);
        else
          stats_.double_completions.fetch_add(1, std::memory_order_relaxed);
      }
      break;
    case uapi::SqeKind::kBatchCmd:
      if (batch_) HandleBatchCqe(cqe, ud.aux);
      break;
    case uapi::SqeKind::kBufCmd:  // only failures post a CQE
      Bump(stats_.kernel_errors, uint64_t{1});
      if (ud.aux == 1 && ud.tag < cfg_.depth) ios_[ud.tag].registered = false;
      break;
  }
}

void Queue::Dispatch(uint16_t tag) {
  Io* io = &ios_[tag];
  Bump(stats_.requests, uint64_t{1});
  io->completing.store(false, std::memory_order_relaxed);
  Bump(inflight_, 1u);
  const int err = uapi::DecodeRequest(&descs_[tag], cfg_.limits, &io->req);
  if (err) {
    Bump(stats_.bad_descriptors, uint64_t{1});
    io->completing.store(true, std::memory_order_relaxed);
    FinishOnThread(io, err);
    return;
  }
  io->needs_reg =
      cfg_.plan.zero_copy_file_ops &&
      (cfg_.plan.mode == uapi::DataMode::kZeroCopyManual || (io->req.flags & uapi::kIoFNeedRegBuf));
  io->data_moved = false;
  if (cfg_.plan.server_copies && CopyDirect(io)) return;
  if (io->req.op == uapi::kOpWrite) {
    if (cfg_.plan.kernel_copies()) Bump(stats_.bytes_copied, uint64_t{io->req.length});
    if (cfg_.plan.server_copies) {
      if (const int32_t e = UserCopy(io, io->buf, io->req.length, false); e < 0) {
        io->completing.store(true, std::memory_order_relaxed);
        FinishOnThread(io, e);
        return;
      }
    }
  }
  backend_->Submit(io);
}

// A READ or WRITE straight between the request's pages and the backend's
// memory (Backend::DataAt): one pread/pwrite on the char device, no Submit.
// False when the backend has no memory for it or the kernel could not copy
// there (e.g. EFAULT): the request then takes the usual path, which gives the
// backend's own answer.
bool Queue::CopyDirect(Io* io) {
  const uapi::Request& r = io->req;
  if (r.op != uapi::kOpRead && r.op != uapi::kOpWrite) return false;
  void* data = backend_->DataAt(r);
  if (!data) return false;
  const int32_t n = UserCopy(io, data, r.length, /*into_request=*/r.op == uapi::kOpRead);
  if (n < 0) return false;
  io->data_moved = true;
  io->completing.store(true, std::memory_order_relaxed);
  FinishOnThread(io, n);
  return true;
}

// USER_COPY: `len` bytes between the request's pages and `buf`, one
// pread (into `buf`) or pwrite (from it) on the char device: `len`, or
// -errno (-EIO for a short copy).
int32_t Queue::UserCopy(Io* io, void* buf, uint32_t len, bool into_request) {
  uint64_t pos = 0;
  if (!uapi::EncodeUserCopyPos(cfg_.q_id, io->tag, 0, &pos)) return -EINVAL;
  const ssize_t n = into_request ? pwrite(cfg_.cdev_fd, buf, len, static_cast<off_t>(pos))
                                 : pread(cfg_.cdev_fd, buf, len, static_cast<off_t>(pos));
  if (n < 0) return -errno;
  // A short copy is not counted: the request fails, or goes the usual path
  // (CopyDirect), which copies it again.
  if (static_cast<uint32_t>(n) != len) return -EIO;
  Bump(stats_.bytes_copied, uint64_t{len});
  return static_cast<int32_t>(len);
}

int32_t Queue::SanitizeResult(const Io* io, int32_t result) const {
  if (result < 0) return result >= -4095 ? result : -EIO;
  const uint8_t op = io->req.op;
  if (op == uapi::kOpRead || op == uapi::kOpWrite) {
    // More than asked is a backend bug; 0 bytes would make the kernel retry.
    if (result == 0 || static_cast<uint32_t>(result) > io->req.length) return -EIO;
    return result;
  }
  return 0;
}

void Queue::FinishOnThread(Io* io, int32_t result) {
  Bump(inflight_, ~0u, std::memory_order_release);  // -1, modulo 2^32
  if (!tags_.OnBackendDone(io->tag)) return;
  int32_t res = SanitizeResult(io, result);
  if (io->req.op == uapi::kOpRead && res > 0 && !io->data_moved) {
    if (cfg_.plan.server_copies)
      res = UserCopy(io, io->buf, static_cast<uint32_t>(res), /*into_request=*/true);
    else if (cfg_.plan.kernel_copies())
      Bump(stats_.bytes_copied, static_cast<uint64_t>(res));
  }
  if (io->registered) {  // the request completes once its pages are released
    QueueBufCmd(uapi::IoCmdOp::kUnregisterIoBuf, io->tag, false);
    io->registered = false;
  }
  QueueUblkCmd(uapi::IoCmdOp::kCommitAndFetchReq, io->tag, res);
}

void Queue::Complete(Io* io, int32_t result) noexcept {
  if (io->completing.exchange(true, std::memory_order_acq_rel)) {
    stats_.double_completions.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (owner_ && t_serving == owner_) {
    FinishOnThread(io, result);
    return;
  }
  // From the push on, the queue may finish this request and the device may
  // be closed; `completers_` keeps the eventfd alive until the write is done.
  completers_.fetch_add(1, std::memory_order_acq_rel);
  io->result = result;
  Io* old = completed_head_.load(std::memory_order_relaxed);
  do {
    io->next_completed = old;
  } while (!completed_head_.compare_exchange_weak(old, io, std::memory_order_release,
                                                  std::memory_order_relaxed));
  if (old == nullptr) {  // first of a batch: one wakeup covers the rest
    const uint64_t one = 1;
    (void)!write(wake_fd_.get(), &one, sizeof(one));
  }
  completers_.fetch_sub(1, std::memory_order_release);
}

void Queue::DrainForeignCompletions() {
  Io* io = completed_head_.exchange(nullptr, std::memory_order_acquire);
  while (io) {
    Io* next = io->next_completed;
    FinishOnThread(io, io->result);
    io = next;
  }
}

absl::Status Queue::SetupForTesting(const uapi::IoDesc* descs, CommandSink* sink) {
  owner_ = this;
  SetServingOwner(this);
  sink_ = sink;
  descs_ = descs;
  UBLK_RETURN_IF_ERROR(AllocBuffers());
  wake_fd_.Reset(eventfd(0, EFD_CLOEXEC));
  if (!wake_fd_.valid()) return ErrnoError(errno, "eventfd failed");
  return absl::OkStatus();
}

void Queue::InjectCqeForTesting(uint64_t user_data, int32_t res) {
  io_uring_cqe cqe{};
  cqe.user_data = user_data;
  cqe.res = res;
  HandleCqe(&cqe);
}

int Queue::SubmitFileOp(Io* io, int fd, FileOp op, uint64_t offset, bool dsync) noexcept {
  if (t_serving != owner_ || io->queue != this || !ring_) return -EINVAL;
  if (cfg_.plan.zero_copy_file_ops && (op == FileOp::kRead || op == FileOp::kWrite))
    return PrepFixedRw(io, fd, op, offset, dsync);
  io_uring_sqe* sqe = GetSqe();
  if (!sqe) return -EBUSY;
  const uint32_t len = io->req.length;
  switch (op) {
    case FileOp::kRead: io_uring_prep_read(sqe, fd, io->buf, len, offset); break;
    case FileOp::kWrite:
      io_uring_prep_write(sqe, fd, io->buf, len, offset);
      if (dsync) sqe->rw_flags = RWF_DSYNC;
      break;
    case FileOp::kFdatasync: io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC); break;
    case FileOp::kPunchHole:
      io_uring_prep_fallocate(sqe, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                              static_cast<off_t>(offset), len);
      break;
    case FileOp::kZeroRange:
      io_uring_prep_fallocate(sqe, fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
                              static_cast<off_t>(offset), len);
      break;
    default: return -EINVAL;
  }
  sqe->user_data = Ud(uapi::SqeKind::kBackend, io->tag);
  return 0;  // submitted with the next batch
}

// Zero copy: read/write straight between the file and the request's pages in
// the tag's sparse-table slot, registered first (linked) when the kernel did not.
int Queue::PrepFixedRw(Io* io, int fd, FileOp op, uint64_t offset, bool dsync) {
  // The register and the op must go out in one submission for the link.
  if (io_uring_sq_space_left(ring_) < 2) io_uring_submit(ring_);
  if (io_uring_sq_space_left(ring_) < 2) return -EBUSY;
  if (io->needs_reg && !io->registered) {
    QueueBufCmd(uapi::IoCmdOp::kRegisterIoBuf, io->tag, true);
    io->registered = true;
  }
  io_uring_sqe* sqe = GetSqe();
  const uint32_t len = io->req.length;
  if (op == FileOp::kRead) {
    io_uring_prep_read_fixed(sqe, fd, nullptr, len, offset, Slot(io->tag));
  } else {
    io_uring_prep_write_fixed(sqe, fd, nullptr, len, offset, Slot(io->tag));
    if (dsync) sqe->rw_flags = RWF_DSYNC;
  }
  sqe->user_data = Ud(uapi::SqeKind::kBackend, io->tag);
  return 0;
}

void Queue::RequestExit() noexcept {
  exit_requested_.store(true, std::memory_order_release);
  if (wake_fd_.valid()) {
    const uint64_t one = 1;
    (void)!write(wake_fd_.get(), &one, sizeof(one));
  }
}

}  // namespace ublk
