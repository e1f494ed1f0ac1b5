// One ublk device: control commands, queue threads and a backend, with a
// lifecycle that always ends in a deleted kernel device.
//
//   Create (ADD_DEV + SET_PARAMS) -> Start (threads, FETCH, START_DEV)
//   -> Stop (STOP_DEV, threads exit) -> Close (DEL_DEV)
//
// Create/Start/Close are called by the owning thread; Stop and Wait may be
// called from any thread, also concurrently with each other.
#pragma once

#include <sched.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ctrl/control.h"
#include "queue/io.h"
#include "queue/queue.h"
#include "queue/queue_group.h"
#include "uapi/spec.h"
#include "util/unique_fd.h"

namespace ublk {

struct DeviceStats {
  uint64_t requests = 0;
  uint64_t bad_descriptors = 0;
  uint64_t double_completions = 0;
  uint64_t protocol_violations = 0;
  uint64_t kernel_errors = 0;
  uint64_t bytes_copied = 0;
};

class Device {
 public:
  // ADD_DEV and SET_PARAMS for `spec` served by `backend`. Fails with
  // EOPNOTSUPP when the spec asks for a kernel feature GET_FEATURES lacks
  // (the data mode is resolved against GET_FEATURES here).
  static absl::StatusOr<std::unique_ptr<Device>> Create(
      uapi::DeviceSpec spec, std::unique_ptr<Backend> backend,
      absl::Duration ctrl_timeout = ctrl::kDefaultTimeout);
  ~Device();  // Close(), errors dropped
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  // Starts the queue threads and the device; returns once /dev/ublkbN exists.
  absl::Status Start();
  // STOP_DEV, then waits (bounded) until the queues stop serving. Idempotent.
  absl::Status Stop();
  // Blocks until the device has stopped serving (Stop here, or STOP_DEV from
  // another process). Returns at once if it was never started.
  void Wait();
  // Waits at most `timeout`; true if the device has stopped.
  bool WaitFor(absl::Duration timeout);
  // Stop if needed, release everything, DEL_DEV. Idempotent; safe after any
  // failure. Returns the first error met.
  absl::Status Close();

  uint32_t id() const { return info_.dev_id; }
  const std::string& bdev_path() const { return bdev_path_; }
  const std::string& cdev_path() const { return cdev_path_; }
  uint64_t flags() const { return info_.flags; }
  uint16_t nr_queues() const { return info_.nr_hw_queues; }
  uint16_t queue_depth() const { return info_.queue_depth; }
  const uapi::DeviceSpec& spec() const { return spec_; }
  // The data mode in use (never kAuto) and how it moves data.
  const uapi::DataPlan& data_plan() const { return plan_; }
  // The queues use BATCH_IO commands (asked for, and granted by the kernel).
  bool batch_io() const { return plan_.batch_io; }
  DeviceStats stats() const;

 private:
  enum class State { kCreated, kLive, kStopped, kClosed };
  Device(uapi::DeviceSpec spec, std::unique_ptr<Backend> backend,
         std::unique_ptr<ctrl::Control> control);
  absl::Status AddAndConfigure();
  absl::Status StartQueues();
  void GroupThread(size_t index, uapi::QueueSpan span, cpu_set_t cpus);
  cpu_set_t SpanCpus(uapi::QueueSpan span);
  void ForceExitQueues();
  void JoinQueues(absl::Duration timeout);
  void SetState(State s);
  State state();

  uapi::DeviceSpec spec_;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<ctrl::Control> control_;
  uapi::DataPlan plan_;
  uapi::DevInfo info_{};
  bool added_ = false;
  std::mutex ctrl_mu_;  // serialises control_ (Stop may come from any thread)
  std::string cdev_path_;
  std::string bdev_path_;
  UniqueFd cdev_fd_;
  std::vector<std::unique_ptr<Queue>> queues_;
  std::vector<std::unique_ptr<QueueGroup>> groups_;  // one per thread
  std::vector<std::thread> threads_;

  std::mutex mu_;  // guards the fields below
  std::condition_variable cv_;
  size_t groups_ready_ = 0;    // finished Setup (ok or not)
  size_t groups_running_ = 0;  // inside Run()
  absl::Status setup_error_;
  bool stop_sent_ = false;
  State state_ = State::kCreated;
};

}  // namespace ublk
