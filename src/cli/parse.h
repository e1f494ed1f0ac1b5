// Argument parsing for the `ublk` CLI. Pure functions, fuzzable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "uapi/affinity.h"
#include "uapi/batch.h"
#include "uapi/data_mode.h"
#include "uapi/queue_sched.h"

namespace ublk::cli {

// "4096", "512K", "64M", "1G", "2T", "1P", with optional "iB"/"B" ("1GiB", "16MB":
// binary units either way). Refuses empty, negative, fractional, overflowing
// or unknown-suffix input.
absl::StatusOr<uint64_t> ParseSize(absl::string_view text);

// A decimal integer in [lo, hi].
absl::StatusOr<uint64_t> ParseUint(absl::string_view text, uint64_t lo, uint64_t hi);

struct AddArgs {
  std::string type;
  std::string size;  // unparsed until the type is known
  uint32_t queues = 1;
  uint32_t depth = 64;
  int32_t id = -1;
  uint32_t max_io = 0;  // 0 = library default
  uint32_t block_size = 512;
  bool foreground = false;
  bool read_only = false;
  std::string file;       // --type file: the backing file or block device
  bool buffered = false;  // --type file: no O_DIRECT
  // --data-mode NAME (uapi::DataModeName); unset = auto (the fastest the
  // kernel and backend allow). --user-copy and --zero-copy are short for
  // --data-mode user-copy / zero-copy.
  std::optional<uapi::DataMode> data_mode;
  // --affinity auto|queue|none (uapi::QueueAffinityName).
  uapi::QueueAffinity affinity = uapi::QueueAffinity::kAuto;
  // --queue-sched inherit|batch (uapi::QueueSchedName).
  uapi::QueueSched queue_sched = uapi::QueueSched::kInherit;
  // --queue-threads N: 0 (default) one thread per queue.
  uint32_t queue_threads = 0;
  // --batch-io auto|on|off (uapi::BatchIoPolicyName); unset = the library's default.
  std::optional<uapi::BatchIoPolicy> batch_io;
};

// Parses the arguments after "add". Unknown options and missing values are
// errors naming the option.
absl::StatusOr<AddArgs> ParseAddArgs(const std::vector<absl::string_view>& args);

struct DelArgs {
  bool all = false;
  int32_t id = -1;
};
absl::StatusOr<DelArgs> ParseDelArgs(const std::vector<absl::string_view>& args);

}  // namespace ublk::cli
