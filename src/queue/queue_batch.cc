// Queue: the BATCH_IO command flow (see queue/batch_cmds.h).
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "queue/queue.h"
#include "queue/queue_group.h"
#include "uapi/encoding.h"
#include "util/bump.h"
#include "util/status.h"

namespace ublk {
namespace {

// The aux of a kBatchCmd SQE: which command, and for PREP/COMMIT which
// element array it carries (bit 0).
constexpr uint32_t kAuxCommit = 0;  // | array
constexpr uint32_t kAuxPrep = 2;    // | array
constexpr uint32_t kAuxFetch = 4;

constexpr long kExitFlushWaitNs = 1000 * 1000 * 1000;

}  // namespace

io_uring_sqe* Queue::PrepBatchSqe(uapi::IoCmdOp op, uint32_t aux) {
  return PrepCdevCmd(op, Ud(uapi::SqeKind::kBatchCmd, 0, aux));
}

// PREP or COMMIT over the open element array; the aux also names the array.
bool Queue::QueueArrayCmd(uapi::IoCmdOp op, uint32_t aux) {
  io_uring_sqe* sqe = PrepBatchSqe(op, aux | batch_->open_array());
  if (!sqe) return false;
  unsigned which = 0;
  batch_->FillArrayCmd(sqe, op, &which);
  return true;
}

absl::Status Queue::SetupBatch() {
  for (uint16_t t = 0; t < cfg_.depth; ++t) batch_->Add(t, 0, BufAddr(t));
  if (!QueueArrayCmd(uapi::IoCmdOp::kPrepIoCmds, kAuxPrep))
    return ErrnoError(EBUSY, absl::StrCat("queue ", cfg_.q_id, ": no SQE for PREP"));
  // PREP answers when it is issued. On a shared ring another queue's CQE
  // may come first: it goes to its queue.
  const uint64_t prep_ud = Ud(uapi::SqeKind::kBatchCmd, 0, kAuxPrep);
  int r = io_uring_submit(ring_);
  int32_t res = 0;
  for (bool answered = false; r >= 0 && !answered;) {
    io_uring_cqe* cqe = nullptr;
    r = io_uring_wait_cqe(ring_, &cqe);
    if (r < 0) break;
    answered = cqe->user_data == prep_ud;
    if (answered)
      res = cqe->res;
    else
      group_->HandleCqe(cqe);
    io_uring_cqe_seen(ring_, cqe);
  }
  if (r < 0)
    return ErrnoError(-r, absl::StrCat("queue ", cfg_.q_id, ": submitting PREP_IO_CMDS failed"));
  batch_->Discard(0);  // PREP went out first, in array 0
  if (res < 0)
    return ErrnoError(-res, absl::StrCat("queue ", cfg_.q_id, ": the kernel refused PREP_IO_CMDS"));
  return absl::OkStatus();
}

void Queue::ArmFetch() {
  if (io_uring_sqe* sqe = PrepBatchSqe(uapi::IoCmdOp::kFetchIoCmds, kAuxFetch))
    batch_->FillFetch(sqe);
}

void Queue::SendCommits() {
  if (batch_->CanSend()) (void)QueueArrayCmd(uapi::IoCmdOp::kCommitIoCmds, kAuxCommit);
}

// Commits queued after the loop's last submit (the backend finished a tag
// after the fetch ended) must reach the kernel before the ring closes, or
// those requests never end. Each round either sends the open array or
// waits for the one in flight; a commit answers at once, so the wait is short.
void Queue::FlushCommitsAtExit() {
  for (int round = 0; round < 4 && batch_->open_count() > 0; ++round) {
    SendCommits();
    io_uring_submit(ring_);
    __kernel_timespec ts{.tv_sec = 0, .tv_nsec = kExitFlushWaitNs};
    io_uring_cqe* cqe = nullptr;
    if (io_uring_wait_cqe_timeout(ring_, &cqe, &ts) < 0) return;
    group_->ReapCqes();
  }
}

void Queue::HandleBatchCqe(const io_uring_cqe* cqe, uint32_t aux) {
  if (aux == kAuxFetch) return HandleFetchCqe(cqe);
  if (aux & kAuxPrep) return batch_->Discard(aux);  // answered in SetupBatch
  uint16_t tag = 0;
  const uapi::CommitOutcome out = batch_->OnArrayCqe(aux, cqe->res, &tag);
  if (out.malformed) Bump(stats_.protocol_violations, uint64_t{1});
  if (out.refused) {
    Bump(stats_.kernel_errors, uint64_t{1});
    tags_.OnCommitRefused(tag);
  }
}

void Queue::HandleFetchCqe(const io_uring_cqe* cqe) {
  uint32_t bad = 0;
  const size_t n = batch_->TakeFetched(cqe, fetched_.data(), &bad);
  if (bad) Bump(stats_.protocol_violations, uint64_t{bad});
  for (size_t i = 0; i < n; ++i) {
    if (tags_.OnCqe(fetched_[i], uapi::kIoResOk) == TagStates::Action::kDispatch)
      Dispatch(fetched_[i]);
    else
      Bump(stats_.protocol_violations, uint64_t{1});
  }
  if (cqe->flags & IORING_CQE_F_MORE) return;
  // The multishot fetch ended. Out of fetch buffers, or ended without an
  // error: fetch again. ABORT: the device stopped. Anything else is the
  // kernel refusing it; the queue then ends as if stopped.
  if ((cqe->res >= 0 || cqe->res == -ENOBUFS) && !exit_requested_.load(std::memory_order_acquire))
    return ArmFetch();
  if (cqe->res != uapi::kIoResAbort) Bump(stats_.kernel_errors, uint64_t{1});
  tags_.OnFetchEnded();
}

}  // namespace ublk
