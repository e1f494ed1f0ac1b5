// The data plane of one hardware queue: one descriptor array, one buffer per
// tag, served on the io_uring of its QueueGroup (its own by default; one
// shared with other queues of the same thread, see uapi/queue_threads.h).
//
// The "serving thread" is the group's thread: it runs Setup() and the
// group's loop, and issues FETCH, so it becomes the kernel's daemon for
// these tags. Complete() may be called from any thread; RequestExit() and
// the counters from any thread.
#pragma once

#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "queue/batch_cmds.h"
#include "queue/io.h"
#include "queue/tag_state.h"
#include "uapi/abi.h"
#include "uapi/data_mode.h"
#include "uapi/encoding.h"
#include "uapi/request.h"
#include "util/unique_fd.h"

namespace ublk {

struct QueueConfig {
  uint16_t q_id = 0;
  uint16_t depth = 0;
  uint32_t buffer_bytes = 0;  // per tag, >= the negotiated max I/O size
  int cdev_fd = -1;           // /dev/ublkcN, owned by the device
  uapi::RequestLimits limits;
  // How data moves (see uapi/data_mode.h). With server_copies the queue
  // moves it with pread/pwrite on /dev/ublkcN at the encoded offset; with
  // zero copy the request pages sit in the ring's sparse buffer table at
  // index = tag, and ring file ops use them as fixed buffers.
  // With plan.batch_io (see uapi/batch.h): one PREP_IO_CMDS at setup, one
  // multishot FETCH_IO_CMDS, and one COMMIT_IO_CMDS per batch of completions
  // instead of a FETCH and a COMMIT_AND_FETCH per tag.
  uapi::DataPlan plan;
  // Place in the group (see QueueGroup): the queue field of its SQEs'
  // user_data, and the first of its `depth` sparse-table slots (zero copy).
  uint8_t member = 0;
  uint16_t slot_base = 0;
};

// Written by the queue thread only (plain stores, read anywhere), except
// double_completions, which any completing thread may bump.
struct QueueStats {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> bad_descriptors{0};  // refused before the backend saw them
  std::atomic<uint64_t> double_completions{0};
  std::atomic<uint64_t> protocol_violations{0};
  std::atomic<uint64_t> kernel_errors{0};
  // Request bytes copied between the kernel's pages and a tag buffer, by the
  // kernel for us (copy modes) or by our pread/pwrite (user copy).
  std::atomic<uint64_t> bytes_copied{0};
};

class QueueGroup;

class Queue {
 public:
  // Marks the calling thread as the one serving `owner`'s ring (a
  // QueueGroup; nullptr when it stops). Complete() on that thread finishes
  // the request inline instead of waking the ring.
  static void SetServingOwner(const void* owner);

  Queue(const QueueConfig& config, Backend* backend);
  ~Queue();
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // Serving thread, from QueueGroup::Setup on the group's ring: descriptor
  // mmap, buffers, the wakeup read, FETCH on every tag. On error the
  // group releases everything.
  absl::Status Setup(QueueGroup* group);

  // Serving thread, for the group's loop: queue what must go out with the
  // next io_uring_enter (BATCH_IO commits); handle one CQE of this queue;
  // at exit send what is left, then forget the tags (the ring is closing)
  // and, once the ring is closed, unmap the memory the kernel wrote into.
  void BeforeSubmit();
  void HandleCqe(const io_uring_cqe* cqe);
  void FlushAtExit();
  void KillTags() { tags_.KillAll(); }
  void ReleaseMemory();
  bool exit_requested() const { return exit_requested_.load(std::memory_order_acquire); }

  // Serving thread: see SubmitFileOp in io.h.
  int SubmitFileOp(Io* io, int fd, FileOp op, uint64_t offset, bool dsync) noexcept;

  // Any thread: make Run() return soon even if the kernel keeps the tags.
  void RequestExit() noexcept;
  // Any thread: finish a request (see CompleteIo).
  void Complete(Io* io, int32_t result) noexcept;

  // ---- tests only: a queue without a kernel --------------------------------
  // Commands that would go to the kernel are handed to the sink instead.
  class CommandSink {
   public:
    virtual ~CommandSink() = default;
    virtual void OnCommand(uapi::IoCmdOp op, uint16_t tag, int32_t result) = 0;
  };
  // `descs` (depth entries, owned by the caller) stands in for the mmap'd
  // descriptor array. Allocates buffers and the wakeup eventfd, no ring.
  absl::Status SetupForTesting(const uapi::IoDesc* descs, CommandSink* sink);
  // Processes one completion as if the ring had delivered it.
  void InjectCqeForTesting(uint64_t user_data, int32_t res);
  // Processes completions made by other threads (what the wakeup read does).
  void DrainForTesting() { DrainForeignCompletions(); }
  uint32_t live_tags() const { return tags_.live(); }

  // Requests handed to the backend and not completed yet (any thread).
  uint32_t backend_inflight() const { return inflight_.load(std::memory_order_acquire); }
  // No request is held by the backend and no completing thread still
  // touches the queue: it may be destroyed (any thread).
  bool Quiescent() const {
    return inflight_.load(std::memory_order_acquire) == 0 &&
           completers_.load(std::memory_order_acquire) == 0;
  }
  const QueueStats& stats() const { return stats_; }
  uint16_t q_id() const { return cfg_.q_id; }

 private:
  absl::Status MapDescriptors();
  absl::Status AllocBuffers();
  void QueueUblkCmd(uapi::IoCmdOp op, uint16_t tag, int32_t result);
  void QueueBufCmd(uapi::IoCmdOp op, uint16_t tag, bool link);
  io_uring_sqe* PrepCdevCmd(uapi::IoCmdOp op, uint64_t user_data);
  io_uring_sqe* PrepIoCmd(uapi::IoCmdOp op, uint16_t tag, int32_t result, uint64_t addr,
                          uint64_t user_data);
  io_uring_sqe* GetSqe();
  int PrepFixedRw(Io* io, int fd, FileOp op, uint64_t offset, bool dsync);
  void ArmWakeup();
  // BATCH_IO: PREP every tag (waits for the answer), then arm the fetch.
  absl::Status SetupBatch();
  io_uring_sqe* PrepBatchSqe(uapi::IoCmdOp op, uint32_t aux);
  bool QueueArrayCmd(uapi::IoCmdOp op, uint32_t aux);
  void ArmFetch();
  void SendCommits();
  void FlushCommitsAtExit();
  void HandleBatchCqe(const io_uring_cqe* cqe, uint32_t aux);
  void HandleFetchCqe(const io_uring_cqe* cqe);
  uint64_t BufAddr(uint16_t tag) const;
  uint64_t Ud(uapi::SqeKind kind, uint16_t tag, uint32_t aux = 0) const;
  uint16_t Slot(uint16_t tag) const { return static_cast<uint16_t>(cfg_.slot_base + tag); }
  void Dispatch(uint16_t tag);
  void FinishOnThread(Io* io, int32_t result);
  void DrainForeignCompletions();
  int32_t SanitizeResult(const Io* io, int32_t result) const;
  bool CopyDirect(Io* io);
  int32_t UserCopy(Io* io, void* buf, uint32_t len, bool into_request);

  QueueConfig cfg_;
  Backend* backend_;
  CommandSink* sink_ = nullptr;  // tests only
  QueueGroup* group_ = nullptr;  // set by Setup
  io_uring* ring_ = nullptr;     // the group's; nullptr when not serving
  const void* owner_ = nullptr;  // the group (this queue, in tests)
  const uapi::IoDesc* descs_ = nullptr;
  size_t descs_len_ = 0;
  void* bufs_ = nullptr;
  size_t bufs_len_ = 0;
  std::vector<Io> ios_;
  std::unique_ptr<BatchCmds> batch_;  // BATCH_IO only
  std::vector<uint16_t> fetched_;     // tags of one FETCH CQE
  TagStates tags_;
  UniqueFd wake_fd_;
  uint64_t wake_buf_ = 0;
  bool wake_armed_ = false;
  std::atomic<bool> exit_requested_{false};
  std::atomic<Io*> completed_head_{nullptr};
  std::atomic<uint32_t> inflight_{0};
  std::atomic<uint32_t> completers_{0};  // foreign threads inside Complete()
  QueueStats stats_;
};

}  // namespace ublk
