#include "queue/device.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "queue/queue_group.h"
#include "uapi/features.h"
#include "util/status.h"

namespace ublk {
namespace {

constexpr absl::Duration kNodeWait = absl::Seconds(10);
constexpr absl::Duration kQuiesceWait = absl::Seconds(1);

uint32_t OpsMask(const BackendCaps& caps) {
  uint32_t m = uapi::OpBit(uapi::kOpRead) | uapi::OpBit(uapi::kOpWrite);
  if (caps.flush) m |= uapi::OpBit(uapi::kOpFlush);
  if (caps.discard) m |= uapi::OpBit(uapi::kOpDiscard);
  if (caps.write_zeroes) m |= uapi::OpBit(uapi::kOpWriteZeroes);
  return m;
}

// Sets the calling queue thread's policy. A policy asked for and refused
// (e.g. by a seccomp filter) fails the start rather than serving otherwise.
absl::Status SetQueueSched(uint16_t first_queue, uapi::QueueSched policy) {
  if (policy != uapi::QueueSched::kBatch) return absl::OkStatus();
  const sched_param param{};  // SCHED_BATCH takes priority 0
  if (sched_setscheduler(0, SCHED_BATCH, &param) == 0) return absl::OkStatus();
  return ErrnoError(errno, absl::StrCat("queue ", first_queue, ": setting SCHED_BATCH failed"));
}

// "ublkq<first>" or "ublkq<first>-<last>" in top -H and
// /proc/PID/task/*/comm (15 chars at most: "ublkq4094-4095" fits).
std::string ThreadName(uapi::QueueSpan span) {
  if (span.count == 1) return absl::StrCat("ublkq", span.first);
  return absl::StrCat("ublkq", span.first, "-", span.first + span.count - 1);
}

}  // namespace

Device::Device(uapi::DeviceSpec spec, std::unique_ptr<Backend> backend,
               std::unique_ptr<ctrl::Control> control)
    : spec_(spec), backend_(std::move(backend)), control_(std::move(control)) {}

Device::~Device() { (void)Close(); }

absl::StatusOr<std::unique_ptr<Device>> Device::Create(uapi::DeviceSpec spec,
                                                       std::unique_ptr<Backend> backend,
                                                       absl::Duration ctrl_timeout) {
  if (!backend) return ErrnoError(EINVAL, "no backend");
  const BackendCaps caps = backend->Caps();
  spec.volatile_cache = caps.flush;
  spec.fua = caps.flush && caps.fua;
  spec.discard = caps.discard;
  spec.write_zeroes = caps.write_zeroes;
  UBLK_RETURN_IF_ERROR(uapi::ValidateSpec(spec));
  UBLK_ASSIGN_OR_RETURN(auto control, ctrl::Control::Open(ctrl_timeout));
  std::unique_ptr<Device> dev(new Device(spec, std::move(backend), std::move(control)));
  absl::Status s = dev->AddAndConfigure();
  if (!s.ok()) {
    (void)dev->Close();
    return s;
  }
  return dev;
}

absl::Status Device::AddAndConfigure() {
  bool have_features = false;
  UBLK_ASSIGN_OR_RETURN(const uint64_t features, control_->GetFeatures(&have_features));
  const BackendCaps caps = backend_->Caps();
  UBLK_ASSIGN_OR_RETURN(plan_, uapi::ResolveDataMode(spec_.data_mode, have_features ? features : 0,
                                                     {.file_ops_only = caps.file_ops_only,
                                                      .data_in_memory = caps.data_in_memory}));
  UBLK_ASSIGN_OR_RETURN(
      plan_.batch_io,
      uapi::ResolveBatchIo(spec_.batch_io, have_features ? features : 0, plan_.mode));
  if (plan_.batch_io) plan_.flags |= uapi::kFBatchIo;
  spec_.kernel_flags |= plan_.flags;
  const uint64_t missing = spec_.kernel_flags & ~features;
  if (have_features && missing)
    return ErrnoError(EOPNOTSUPP,
                      absl::StrCat("the running kernel lacks ", uapi::DescribeFeatures(missing)));
  if (plan_.zero_copy())
    UBLK_RETURN_IF_ERROR(
        uapi::ValidateZeroCopySlots(spec_.nr_queues, spec_.queue_depth, spec_.queue_threads));
  info_ = uapi::BuildDevInfo(spec_);
  UBLK_RETURN_IF_ERROR(control_->AddDev(&info_));
  added_ = true;
  UBLK_RETURN_IF_ERROR(uapi::ValidateKernelDevInfo(info_));
  if (const uint64_t dropped = plan_.flags & ~info_.flags)  // a clearing rule hit
    return ErrnoError(EOPNOTSUPP,
                      absl::StrCat("data mode ", uapi::DataModeName(plan_.mode),
                                   ": the kernel did not grant ", uapi::DescribeFeatures(dropped)));
  cdev_path_ = absl::StrCat("/dev/ublkc", info_.dev_id);
  bdev_path_ = absl::StrCat("/dev/ublkb", info_.dev_id);

  uapi::Params params = uapi::BuildParams(spec_);
  // The kernel may round the buffer size down; never promise more.
  params.basic.max_sectors =
      std::min(params.basic.max_sectors, info_.max_io_buf_bytes >> uapi::kSectorShift);
  UBLK_RETURN_IF_ERROR(uapi::ValidateParams(params, info_.max_io_buf_bytes, info_.flags,
                                            have_features ? features : 0));
  UBLK_RETURN_IF_ERROR(control_->SetParams(info_.dev_id, params));

  UBLK_ASSIGN_OR_RETURN(cdev_fd_, control_->OpenCharDev(info_.dev_id));
  return absl::OkStatus();
}

void Device::GroupThread(size_t index, uapi::QueueSpan span, cpu_set_t cpus) {
  QueueGroup* g = groups_[index].get();
  (void)pthread_setname_np(pthread_self(), ThreadName(span).c_str());
  if (CPU_COUNT(&cpus) > 0) (void)pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
  absl::Status s = SetQueueSched(span.first, spec_.queue_sched);
  if (s.ok()) s = g->Setup();
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++groups_ready_;
    if (!s.ok() && setup_error_.ok()) setup_error_ = s;
    if (s.ok()) ++groups_running_;
  }
  cv_.notify_all();
  if (!s.ok()) return;
  (void)g->Run();
  {
    std::lock_guard<std::mutex> lock(mu_);
    --groups_running_;
  }
  cv_.notify_all();
}

// The CPUs of a thread's queues together (empty: do not pin).
cpu_set_t Device::SpanCpus(uapi::QueueSpan span) {
  cpu_set_t all;
  CPU_ZERO(&all);
  if (spec_.queue_affinity == uapi::QueueAffinity::kNone) return all;
  for (uint16_t q = span.first; q < span.first + span.count; ++q) {
    cpu_set_t one;
    CPU_ZERO(&one);
    if (!control_->GetQueueAffinity(info_.dev_id, q, &one).ok()) {
      CPU_ZERO(&all);  // not fatal: the thread just is not pinned
      return all;
    }
    CPU_OR(&all, &all, &one);
  }
  return uapi::QueueThreadCpus(spec_.queue_affinity, all);
}

absl::Status Device::StartQueues() {
  uapi::RequestLimits limits;
  limits.dev_sectors = spec_.size_bytes >> uapi::kSectorShift;
  limits.buffer_bytes = info_.max_io_buf_bytes;
  limits.ops_mask = OpsMask(backend_->Caps());
  limits.logical_bs_shift = static_cast<uint32_t>(__builtin_ctz(spec_.logical_block_size));
  const std::vector<uapi::QueueSpan> spans =
      uapi::SplitQueues(info_.nr_hw_queues, spec_.queue_threads);
  for (const uapi::QueueSpan& span : spans) {
    std::vector<Queue*> members;
    for (uint16_t m = 0; m < span.count; ++m) {
      QueueConfig qc{.q_id = static_cast<uint16_t>(span.first + m),
                     .depth = info_.queue_depth,
                     .buffer_bytes = info_.max_io_buf_bytes,
                     .cdev_fd = cdev_fd_.get(),
                     .limits = limits,
                     .plan = plan_,
                     .member = static_cast<uint8_t>(m),
                     .slot_base = static_cast<uint16_t>(m * info_.queue_depth)};
      queues_.push_back(std::make_unique<Queue>(qc, backend_.get()));
      members.push_back(queues_.back().get());
    }
    groups_.push_back(std::make_unique<QueueGroup>(std::move(members), cdev_fd_.get(),
                                                   info_.queue_depth, plan_.zero_copy()));
  }
  for (size_t i = 0; i < spans.size(); ++i)
    threads_.emplace_back(&Device::GroupThread, this, i, spans[i], SpanCpus(spans[i]));
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return groups_ready_ == groups_.size(); });
  return setup_error_;
}

absl::Status Device::Start() {
  if (state() != State::kCreated)
    return ErrnoError(EINVAL, "the device was already started (or closed)");
  absl::Status s = StartQueues();
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(ctrl_mu_);
    s = control_->StartDev(info_.dev_id, static_cast<int32_t>(getpid()));
  }
  if (s.ok()) s = ctrl::WaitForPath(bdev_path_, kNodeWait);
  if (!s.ok()) {
    ForceExitQueues();
    JoinQueues(control_->timeout());
    SetState(State::kStopped);
    return s;
  }
  SetState(State::kLive);
  return absl::OkStatus();
}

void Device::ForceExitQueues() {
  for (auto& q : queues_) q->RequestExit();
}

void Device::JoinQueues(absl::Duration timeout) {
  if (!WaitFor(timeout)) ForceExitQueues();  // kernel did not abort the tags
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

bool Device::WaitFor(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                      [&] { return groups_running_ == 0; });
}

void Device::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return groups_running_ == 0; });
}

absl::Status Device::Stop() {
  bool send = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::kLive) return absl::OkStatus();
    send = !std::exchange(stop_sent_, true);
  }
  if (send) {
    absl::Status s;
    {
      std::lock_guard<std::mutex> lock(ctrl_mu_);
      s = control_->StopDev(info_.dev_id);
    }
    if (ToErrno(s) == ENODEV) s = absl::OkStatus();  // deleted by someone else
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      stop_sent_ = false;
      return s;
    }
  }
  if (!WaitFor(control_->timeout()))
    return ErrnoError(ETIMEDOUT,
                      absl::StrCat("queues of ", bdev_path_, " still busy after STOP_DEV"));
  return absl::OkStatus();
}

void Device::SetState(State s) {
  std::lock_guard<std::mutex> lock(mu_);
  state_ = s;
}

Device::State Device::state() {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

absl::Status Device::Close() {
  if (state() == State::kClosed) return absl::OkStatus();
  absl::Status first = Stop();
  if (!queues_.empty()) JoinQueues(control_->timeout());
  // A completing thread may still be between its push and its wakeup
  // write; that window is short, so a bounded wait covers it.
  const absl::Time deadline = absl::Now() + kQuiesceWait;
  auto quiescent = [&] {
    for (auto& q : queues_)
      if (!q->Quiescent()) return false;
    return true;
  };
  while (!quiescent() && absl::Now() < deadline) absl::SleepFor(absl::Microseconds(100));
  uint32_t inflight = 0;
  for (auto& q : queues_) inflight += q->backend_inflight();
  const bool keep_queues = !quiescent();
  if (inflight && first.ok())
    first = ErrnoError(EBUSY, absl::StrCat(inflight, " requests still held by the backend"));
  cdev_fd_.Reset();  // DEL_DEV waits for the last reference to the char device
  if (added_) {
    std::lock_guard<std::mutex> lock(ctrl_mu_);
    absl::Status s = control_->DelDev(info_.dev_id);
    if (!s.ok() && ToErrno(s) != ENODEV && first.ok()) first = s;
    added_ = false;
  }
  if (keep_queues) {
    // A backend still holds requests: keep the queues alive so its late
    // completions land in valid memory, instead of freeing them under it.
    for (auto& q : queues_) (void)q.release();
    for (auto& g : groups_) (void)g.release();
  }
  groups_.clear();  // closes any ring left open before the queues unmap
  queues_.clear();
  threads_.clear();
  SetState(State::kClosed);
  return first;
}

DeviceStats Device::stats() const {
  DeviceStats d;
  for (const auto& q : queues_) {
    const QueueStats& s = q->stats();
    d.requests += s.requests.load(std::memory_order_relaxed);
    d.bad_descriptors += s.bad_descriptors.load(std::memory_order_relaxed);
    d.double_completions += s.double_completions.load(std::memory_order_relaxed);
    d.protocol_violations += s.protocol_violations.load(std::memory_order_relaxed);
    d.kernel_errors += s.kernel_errors.load(std::memory_order_relaxed);
    d.bytes_copied += s.bytes_copied.load(std::memory_order_relaxed);
  }
  return d;
}

}  // namespace ublk
