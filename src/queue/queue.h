// The data plane of one hardware queue: one thread, one io_uring, one
// descriptor array, one buffer per tag.
//
// Setup() and Run() run on the queue's own thread (the thread that issues
// FETCH becomes the kernel's daemon for those tags). Complete() may be called
// from any thread; RequestExit() and the counters from any thread.
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

class Queue {
 public:
  Queue(const QueueConfig& config, Backend* backend);
  ~Queue();
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // Queue thread: ring, fixed file, descriptor mmap, buffers, FETCH on every
  // tag. On error everything set up so far is released.
  absl::Status Setup();
  // Queue thread: serves requests until every tag is aborted by the kernel
  // (device stopped) or RequestExit() is called. Releases the ring and
  // mappings before returning so the device can be deleted.
  absl::Status Run();

  // Queue thread: see SubmitFileOp in io.h.
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
  absl::Status SetupRing();
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
  void ReapCqes();
  void HandleCqe(const io_uring_cqe* cqe);
  void Dispatch(uint16_t tag);
  void FinishOnThread(Io* io, int32_t result);
  void DrainForeignCompletions();
  void Teardown();
  int32_t SanitizeResult(const Io* io, int32_t result) const;
  bool CopyDirect(Io* io);
  int32_t UserCopy(Io* io, void* buf, uint32_t len, bool into_request);

  QueueConfig cfg_;
  Backend* backend_;
  CommandSink* sink_ = nullptr;  // tests only
  io_uring ring_{};
  bool ring_ok_ = false;
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
