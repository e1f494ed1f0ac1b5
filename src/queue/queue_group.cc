#include "queue/queue_group.h"

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "queue/queue.h"
#include "util/status.h"

namespace ublk {

QueueGroup::QueueGroup(std::vector<Queue*> queues, int cdev_fd, uint16_t depth, bool zero_copy)
    : queues_(std::move(queues)), cdev_fd_(cdev_fd), depth_(depth), zero_copy_(zero_copy) {}

QueueGroup::~QueueGroup() { CloseRing(); }

void QueueGroup::CloseRing() {
  if (ring_ok_) io_uring_queue_exit(&ring_);  // cancels anything still in the kernel
  ring_ok_ = false;
}

absl::Status QueueGroup::Setup() {
  const std::string who = absl::StrCat("queue ", queues_.front()->q_id());
  // Room per tag for a commit, a backend op and (zero copy by hand) buffer
  // register + unregister, plus each queue's wakeup read; CLAMP caps a big
  // group at the kernel's maximum (a full SQ is flushed, see Queue::GetSqe).
  const unsigned entries = static_cast<unsigned>(queues_.size()) * (4u * depth_ + 8);
  io_uring_params p{};
  p.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
            IORING_SETUP_CLAMP;
  int r = io_uring_queue_init_params(entries, &ring_, &p);
  if (r == -EINVAL) {  // older kernels: plain ring
    p = {};
    p.flags = IORING_SETUP_CLAMP;
    r = io_uring_queue_init_params(entries, &ring_, &p);
  }
  if (r < 0) return ErrnoError(-r, absl::StrCat(who, ": io_uring setup failed"));
  ring_ok_ = true;
  absl::Status s;
  r = io_uring_register_files(&ring_, &cdev_fd_, 1);
  if (r < 0) s = ErrnoError(-r, absl::StrCat(who, ": registering the char device failed"));
  if (s.ok() && zero_copy_) {  // slot member * depth + tag receives the request's pages
    r = io_uring_register_buffers_sparse(&ring_, static_cast<unsigned>(queues_.size()) * depth_);
    if (r < 0)
      s = ErrnoError(-r,
                     absl::StrCat(who, ": zero copy: registering a sparse buffer table failed"));
  }
  for (size_t i = 0; s.ok() && i < queues_.size(); ++i) s = queues_[i]->Setup(this);
  if (!s.ok()) Finish();
  return s;
}

absl::Status QueueGroup::Run() {
  Queue::SetServingOwner(this);
  absl::Status status;
  while (Serving()) {
    for (Queue* q : queues_) q->BeforeSubmit();
    const int r = io_uring_submit_and_wait(&ring_, 1);
    if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
      status = ErrnoError(
          -r, absl::StrCat("queue ", queues_.front()->q_id(), ": io_uring_enter failed"));
      break;
    }
    ReapCqes();
  }
  if (status.ok())
    for (Queue* q : queues_) q->FlushAtExit();
  Finish();
  Queue::SetServingOwner(nullptr);
  return status;
}

// Serve while some queue has live tags and none was told to exit (the device
// tells all of them at once).
bool QueueGroup::Serving() const {
  bool live = false;
  for (const Queue* q : queues_) {
    if (q->exit_requested()) return false;
    live = live || q->live_tags() > 0;
  }
  return live;
}

void QueueGroup::Finish() {
  for (Queue* q : queues_) q->KillTags();
  CloseRing();
  for (Queue* q : queues_) q->ReleaseMemory();
}

void QueueGroup::ReapCqes() {
  unsigned head;
  unsigned n = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    HandleCqe(cqe);
    ++n;
  }
  io_uring_cq_advance(&ring_, n);
}

// The queue field of the user_data picks the queue; a queue refuses (and
// counts) a CQE whose user_data is not its own.
void QueueGroup::HandleCqe(const io_uring_cqe* cqe) {
  const size_t member = static_cast<size_t>(cqe->user_data >> 56);
  queues_[member < queues_.size() ? member : 0]->HandleCqe(cqe);
}

}  // namespace ublk
