// One queue thread's io_uring and the queues it serves on it (see
// uapi/queue_threads.h; one queue per thread by default).
//
// Setup() and Run() run on the serving thread, which becomes the kernel's
// daemon for every tag of those queues. The queues stay owned by the device;
// the group owns the ring and closes it before the queues unmap their
// memory, so nothing the kernel still holds points at freed pages.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <vector>

#include "absl/status/status.h"

namespace ublk {

class Queue;

class QueueGroup {
 public:
  // `queues[i]` must have been configured with member i and slot base
  // i * depth (see QueueConfig); `zero_copy` sizes the sparse buffer table.
  QueueGroup(std::vector<Queue*> queues, int cdev_fd, uint16_t depth, bool zero_copy);
  ~QueueGroup();
  QueueGroup(const QueueGroup&) = delete;
  QueueGroup& operator=(const QueueGroup&) = delete;

  // Serving thread: the ring (char device as fixed file 0, a sparse table
  // in zero copy), then every queue's Setup. On error nothing stays set up.
  absl::Status Setup();
  // Serving thread: serves until every queue's tags are gone (the device
  // stopped) or a queue's RequestExit(); then closes the ring and releases
  // the queues' memory.
  absl::Status Run();

  // Serving thread: the shared ring, and the handing of its completions to
  // their queues (used by the queues' own waits at setup and exit).
  io_uring* ring() { return &ring_; }
  void ReapCqes();
  void HandleCqe(const io_uring_cqe* cqe);

  const std::vector<Queue*>& queues() const { return queues_; }

 private:
  bool Serving() const;
  void Finish();
  void CloseRing();

  std::vector<Queue*> queues_;
  int cdev_fd_;
  uint16_t depth_;
  bool zero_copy_;
  io_uring ring_{};
  bool ring_ok_ = false;
};

}  // namespace ublk
