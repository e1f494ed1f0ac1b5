// ublk_version*, ublk_last_error, ublk_get_features, the data mode names and
// the config builder.
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "capi/guard.h"
#include "capi/handles.h"
#include "ctrl/control.h"
#include "uapi/data_mode.h"
#include "uapi/features.h"

using ublk::ErrnoError;
using ublk::capi::Call;
using ublk::capi::NullArg;

namespace {

// A setter: applies `change` to a copy of the spec, checks the fields with
// the same rules ublk_dev_create uses (uapi::ValidateFields), and keeps the
// copy only if they hold. `change` may refuse values the spec cannot hold.
template <typename F>
int Set(const char* api, ublk_config* cfg, F&& change) {
  return Call(api, [&]() -> absl::Status {
    if (!cfg) return NullArg("cfg");
    ublk::uapi::DeviceSpec next = cfg->spec;
    UBLK_RETURN_IF_ERROR(change(next));
    UBLK_RETURN_IF_ERROR(ublk::uapi::ValidateFields(next));
    cfg->spec = next;
    return absl::OkStatus();
  });
}

absl::Status OutOfRange(absl::string_view what, uint64_t v, uint64_t lo, uint64_t hi) {
  return ErrnoError(EINVAL, absl::StrCat(what, " ", v, " is outside [", lo, ", ", hi, "]"));
}

// A 0/1 flag.
absl::Status Flag(absl::string_view what, int v, bool* out) {
  if (v != 0 && v != 1)
    return OutOfRange(what, static_cast<uint64_t>(static_cast<int64_t>(v)), 0, 1);
  *out = v != 0;
  return absl::OkStatus();
}

// One of an enum's values 0..max, given as a number by the caller.
template <typename E>
absl::Status EnumValue(absl::string_view what, uint32_t v, uint8_t max, E* out) {
  if (v > max) return ErrnoError(EINVAL, absl::StrCat("unknown ", what, " ", v));
  *out = static_cast<E>(v);
  return absl::OkStatus();
}

}  // namespace

extern "C" {

uint32_t ublk_version(void) noexcept {
  return (UBLK_VERSION_MAJOR << 16) | (UBLK_VERSION_MINOR << 8) | UBLK_VERSION_PATCH;
}

int ublk_version_at_least(uint32_t major, uint32_t minor) noexcept {
  const uint32_t have = ublk_version() >> 8;  // (major << 8) | minor
  return have >= ((major << 8) | (minor & 0xff)) && major <= 0xffff;
}

const char* ublk_last_error(void) noexcept { return ublk::capi::LastError(); }

const char* ublk_feature_name(uint32_t bit) noexcept {
  return bit < 64 ? ublk::uapi::FeatureName(static_cast<int>(bit)) : nullptr;
}

int ublk_get_features(uint64_t* out) noexcept {
  return Call("ublk_get_features", [&]() -> absl::Status {
    if (!out) return NullArg("out");
    UBLK_ASSIGN_OR_RETURN(auto control, ublk::ctrl::Control::Open());
    UBLK_ASSIGN_OR_RETURN(*out, control->GetFeatures());
    return absl::OkStatus();
  });
}

int ublk_config_new(ublk_config** out) noexcept {
  return Call("ublk_config_new", [&]() -> absl::Status {
    if (!out) return NullArg("out");
    // Call() catches bad_alloc.
    *out = new ublk_config();  // NOLINT(bugprone-unhandled-exception-at-new)
    return absl::OkStatus();
  });
}

void ublk_config_free(ublk_config* cfg) noexcept { delete cfg; }

int ublk_config_set_size(ublk_config* cfg, uint64_t bytes) noexcept {
  return Set("ublk_config_set_size", cfg, [&](ublk::uapi::DeviceSpec& s) -> absl::Status {
    if (bytes == 0) return ErrnoError(EINVAL, "size must be greater than 0");
    s.size_bytes = bytes;
    return absl::OkStatus();
  });
}

int ublk_config_set_block_size(ublk_config* cfg, uint32_t logical, uint32_t physical) noexcept {
  return Set("ublk_config_set_block_size", cfg, [&](ublk::uapi::DeviceSpec& s) {
    s.logical_block_size = logical;
    s.physical_block_size = physical;
    return absl::OkStatus();
  });
}

int ublk_config_set_queues(ublk_config* cfg, uint32_t nr) noexcept {
  return Set("ublk_config_set_queues", cfg, [&](ublk::uapi::DeviceSpec& s) {
    s.nr_queues = nr;
    return absl::OkStatus();
  });
}

int ublk_config_set_queue_threads(ublk_config* cfg, uint32_t threads) noexcept {
  return Set("ublk_config_set_queue_threads", cfg, [&](ublk::uapi::DeviceSpec& s) {
    s.queue_threads = threads;
    return absl::OkStatus();
  });
}

int ublk_config_set_depth(ublk_config* cfg, uint32_t depth) noexcept {
  return Set("ublk_config_set_depth", cfg, [&](ublk::uapi::DeviceSpec& s) {
    s.queue_depth = depth;
    return absl::OkStatus();
  });
}

int ublk_config_set_max_io_size(ublk_config* cfg, uint32_t bytes) noexcept {
  return Set("ublk_config_set_max_io_size", cfg, [&](ublk::uapi::DeviceSpec& s) {
    s.max_io_bytes = bytes;
    return absl::OkStatus();
  });
}

int ublk_config_set_dev_id(ublk_config* cfg, int32_t id) noexcept {
  return Set("ublk_config_set_dev_id", cfg, [&](ublk::uapi::DeviceSpec& s) -> absl::Status {
    if (id < 0 && id != UBLK_DEV_ID_AUTO)
      return ErrnoError(EINVAL,
                        absl::StrCat("device id ", id, " is negative (use UBLK_DEV_ID_AUTO)"));
    s.dev_id = id == UBLK_DEV_ID_AUTO ? ublk::uapi::kAutoDevId : static_cast<uint32_t>(id);
    return absl::OkStatus();
  });
}

int ublk_config_set_read_only(ublk_config* cfg, int read_only) noexcept {
  return Set("ublk_config_set_read_only", cfg,
             [&](ublk::uapi::DeviceSpec& s) { return Flag("read_only", read_only, &s.read_only); });
}

int ublk_config_set_rotational(ublk_config* cfg, int rotational) noexcept {
  return Set("ublk_config_set_rotational", cfg, [&](ublk::uapi::DeviceSpec& s) {
    return Flag("rotational", rotational, &s.rotational);
  });
}

int ublk_config_set_data_mode(ublk_config* cfg, uint32_t mode) noexcept {
  return Set("ublk_config_set_data_mode", cfg, [&](ublk::uapi::DeviceSpec& s) {
    return EnumValue("data mode", mode, ublk::uapi::kMaxDataMode, &s.data_mode);
  });
}

// The UBLK_DATA_MODE_* numbers are uapi::DataMode's, so both directions
// below are plain casts.
static_assert(static_cast<uint32_t>(ublk::uapi::DataMode::kCopy) == UBLK_DATA_MODE_COPY);
static_assert(static_cast<uint32_t>(ublk::uapi::DataMode::kNeedGetData) ==
              UBLK_DATA_MODE_NEED_GET_DATA);
static_assert(static_cast<uint32_t>(ublk::uapi::DataMode::kUserCopy) == UBLK_DATA_MODE_USER_COPY);
static_assert(static_cast<uint32_t>(ublk::uapi::DataMode::kZeroCopy) == UBLK_DATA_MODE_ZERO_COPY);
static_assert(static_cast<uint32_t>(ublk::uapi::DataMode::kAuto) == UBLK_DATA_MODE_AUTO);
static_assert(static_cast<uint32_t>(ublk::uapi::DataMode::kZeroCopyManual) ==
              UBLK_DATA_MODE_ZERO_COPY_MANUAL);

const char* ublk_data_mode_name(uint32_t mode) noexcept {
  // Checked here: DataModeName says "unknown" rather than NULL, and the
  // uint8_t enum would wrap values above 255 onto real modes.
  if (mode > ublk::uapi::kMaxDataMode) return nullptr;
  return ublk::uapi::DataModeName(static_cast<ublk::uapi::DataMode>(mode));
}

int ublk_data_mode_from_name(const char* name, uint32_t* mode) noexcept {
  return Call("ublk_data_mode_from_name", [&]() -> absl::Status {
    if (!name) return NullArg("name");
    if (!mode) return NullArg("mode");
    ublk::uapi::DataMode m = ublk::uapi::DataMode::kCopy;
    if (!ublk::uapi::DataModeFromName(name, &m))
      return ErrnoError(EINVAL, absl::StrCat("unknown data mode '", name, "'"));
    *mode = static_cast<uint32_t>(m);
    return absl::OkStatus();
  });
}

int ublk_config_set_io_hints(ublk_config* cfg, uint32_t io_min, uint32_t io_opt) noexcept {
  return Set("ublk_config_set_io_hints", cfg, [&](ublk::uapi::DeviceSpec& s) {
    s.io_min_bytes = io_min;
    s.io_opt_bytes = io_opt;
    return absl::OkStatus();
  });
}

int ublk_config_set_queue_affinity(ublk_config* cfg, uint32_t policy) noexcept {
  return Set("ublk_config_set_queue_affinity", cfg, [&](ublk::uapi::DeviceSpec& s) {
    return EnumValue("queue affinity policy", policy, ublk::uapi::kMaxQueueAffinity,
                     &s.queue_affinity);
  });
}

static_assert(static_cast<uint32_t>(ublk::uapi::QueueSched::kInherit) == UBLK_QUEUE_SCHED_INHERIT);
static_assert(static_cast<uint32_t>(ublk::uapi::QueueSched::kBatch) == UBLK_QUEUE_SCHED_BATCH);

int ublk_config_set_queue_sched(ublk_config* cfg, uint32_t policy) noexcept {
  return Set("ublk_config_set_queue_sched", cfg, [&](ublk::uapi::DeviceSpec& s) {
    return EnumValue("queue scheduling policy", policy, ublk::uapi::kMaxQueueSched, &s.queue_sched);
  });
}

static_assert(static_cast<uint32_t>(ublk::uapi::BatchIoPolicy::kAuto) == UBLK_BATCH_IO_AUTO);
static_assert(static_cast<uint32_t>(ublk::uapi::BatchIoPolicy::kOff) == UBLK_BATCH_IO_OFF);
static_assert(static_cast<uint32_t>(ublk::uapi::BatchIoPolicy::kOn) == UBLK_BATCH_IO_ON);

int ublk_config_set_batch_io(ublk_config* cfg, uint32_t policy) noexcept {
  return Set("ublk_config_set_batch_io", cfg, [&](ublk::uapi::DeviceSpec& s) {
    return EnumValue("batch I/O policy", policy, ublk::uapi::kMaxBatchIoPolicy, &s.batch_io);
  });
}

int ublk_config_set_ctrl_timeout_ms(ublk_config* cfg, uint32_t ms) noexcept {
  return Call("ublk_config_set_ctrl_timeout_ms", [&]() -> absl::Status {
    if (!cfg) return NullArg("cfg");
    if (ms < 1 || ms > 3600000) return OutOfRange("control timeout (ms)", ms, 1, 3600000);
    cfg->ctrl_timeout = absl::Milliseconds(ms);
    return absl::OkStatus();
  });
}

}  // extern "C"
