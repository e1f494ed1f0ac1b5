// The CLI's argument parsing (cli/parse.h), against an independent model.
//
// Input: argv-like tokens separated by NUL or newline bytes (an empty token
// between two separators is kept, as a shell can pass ""). All tokens go to
// ParseAddArgs and ParseDelArgs; each token also to ParseSize and ParseUint.
//
// Model of the documented grammar:
//   uint  = one or more ASCII digits, value < 2^64, inside [lo, hi]
//   size  = uint-digits suffix, value * unit < 2^64, suffix (any case) one of
//           "" | "B" | U | U "B" | U "iB"   with U in K M G T P (binary units)
//   add   = "--foreground" | "--read-only" flags and "--opt value" pairs;
//           --type/-t, --size/-s, --queues/-q [1,4096], --depth/-d [1,4096],
//           --id/-n [0,2^20), --block-size [512,4096], --max-io size <= 32M;
//           type must end up null, mem or file; size non-empty unless file;
//           --file exactly with --type file; --buffered only with file;
//           --data-mode NAME, --user-copy, --zero-copy: one mode name of
//           copy need-get-data user-copy zero-copy zero-copy-manual auto;
//           --affinity one of auto queue none; --batch-io one of auto off on;
//           --queue-sched one of inherit batch; --queue-threads [0,4096]
//   del   = "--all"/"-a" flag, "--id"/"-n" [0,2^20); exactly one of the two
// Every refusal must carry EINVAL and a non-empty message.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "cli/parse.h"
#include "fuzz_common.h"
#include "util/status.h"

namespace {

using ublk::cli::AddArgs;
using ublk::cli::DelArgs;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Value of a run of decimal digits; nullopt on overflow.
std::optional<uint64_t> Digits(absl::string_view t) {
  uint64_t v = 0;
  for (char c : t) {
    if (__builtin_mul_overflow(v, uint64_t{10}, &v)) return std::nullopt;
    if (__builtin_add_overflow(v, static_cast<uint64_t>(c - '0'), &v)) return std::nullopt;
  }
  return v;
}

std::optional<uint64_t> ModelUint(absl::string_view t, uint64_t lo, uint64_t hi) {
  if (t.empty()) return std::nullopt;
  for (char c : t)
    if (!IsDigit(c)) return std::nullopt;
  auto v = Digits(t);
  if (!v || *v < lo || *v > hi) return std::nullopt;
  return v;
}

char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Shift of an allowed size suffix, or -1.
int ModelSuffix(absl::string_view s) {
  std::string u;
  for (char c : s) u.push_back(Upper(c));
  if (u.empty() || u == "B") return 0;
  // "BB"/"BiB" were once taken as bytes (found by this fuzzer; corpus file
  // regression-size-bb-suffix).
  static constexpr struct {
    char unit;
    int shift;
  } kUnits[] = {{'K', 10}, {'M', 20}, {'G', 30}, {'T', 40}, {'P', 50}};
  for (const auto& k : kUnits) {
    const std::string x(1, k.unit);
    if (u == x || u == x + "B" || u == x + "IB") return k.shift;
  }
  return -1;
}

std::optional<uint64_t> ModelSize(absl::string_view t) {
  size_t n = 0;
  while (n < t.size() && IsDigit(t[n])) ++n;
  if (n == 0) return std::nullopt;
  auto v = Digits(t.substr(0, n));
  if (!v) return std::nullopt;
  const int shift = ModelSuffix(t.substr(n));
  if (shift < 0) return std::nullopt;
  uint64_t out = 0;
  if (__builtin_mul_overflow(*v, uint64_t{1} << shift, &out)) return std::nullopt;
  return out;
}

// The documented mode names, in the order of their values.
// The enum value whose name (in value order) is `v`.
template <typename E, size_t N>
bool ModelEnum(absl::string_view v, const char* const (&names)[N], E* out) {
  for (size_t i = 0; i < N; ++i) {
    if (v == names[i]) {
      *out = static_cast<E>(i);
      return true;
    }
  }
  return false;
}

std::optional<ublk::uapi::DataMode> ModelDataMode(absl::string_view v) {
  static constexpr const char* kNames[] = {"copy",      "need-get-data", "user-copy",
                                           "zero-copy", "auto",          "zero-copy-manual"};
  for (uint8_t m = 0; m < 6; ++m)
    if (v == kNames[m]) return static_cast<ublk::uapi::DataMode>(m);
  return std::nullopt;
}

std::optional<AddArgs> ModelAdd(const std::vector<absl::string_view>& t) {
  AddArgs a;
  for (size_t i = 0; i < t.size(); ++i) {
    const absl::string_view opt = t[i];
    if (opt == "--foreground") {
      a.foreground = true;
      continue;
    }
    if (opt == "--read-only") {
      a.read_only = true;
      continue;
    }
    if (opt == "--buffered") {
      a.buffered = true;
      continue;
    }
    const bool mode_flag = opt == "--user-copy" || opt == "--zero-copy";
    if (!mode_flag && i + 1 >= t.size()) return std::nullopt;
    const absl::string_view v = mode_flag ? opt.substr(2) : t[++i];
    if (mode_flag || opt == "--data-mode") {
      const auto mode = ModelDataMode(v);
      if (!mode || (a.data_mode && *a.data_mode != *mode)) return std::nullopt;
      a.data_mode = *mode;
    } else if (opt == "--affinity") {
      static constexpr const char* kPolicies[] = {"auto", "queue", "none"};
      if (!ModelEnum(v, kPolicies, &a.affinity)) return std::nullopt;
    } else if (opt == "--queue-sched") {
      static constexpr const char* kPolicies[] = {"inherit", "batch"};
      if (!ModelEnum(v, kPolicies, &a.queue_sched)) return std::nullopt;
    } else if (opt == "--queue-threads") {
      auto n = ModelUint(v, 0, 4096);
      if (!n) return std::nullopt;
      a.queue_threads = static_cast<uint32_t>(*n);
    } else if (opt == "--batch-io") {
      static constexpr const char* kPolicies[] = {"auto", "off", "on"};
      ublk::uapi::BatchIoPolicy b;
      if (!ModelEnum(v, kPolicies, &b)) return std::nullopt;
      a.batch_io = b;
    } else if (opt == "--type" || opt == "-t") {
      a.type = std::string(v);
    } else if (opt == "--size" || opt == "-s") {
      a.size = std::string(v);
    } else if (opt == "--file" || opt == "-f") {
      a.file = std::string(v);
    } else if (opt == "--queues" || opt == "-q") {
      auto n = ModelUint(v, 1, 4096);
      if (!n) return std::nullopt;
      a.queues = static_cast<uint32_t>(*n);
    } else if (opt == "--depth" || opt == "-d") {
      auto n = ModelUint(v, 1, 4096);
      if (!n) return std::nullopt;
      a.depth = static_cast<uint32_t>(*n);
    } else if (opt == "--id" || opt == "-n") {
      auto n = ModelUint(v, 0, (1u << 20) - 1);
      if (!n) return std::nullopt;
      a.id = static_cast<int32_t>(*n);
    } else if (opt == "--block-size") {
      auto n = ModelUint(v, 512, 4096);
      if (!n) return std::nullopt;
      a.block_size = static_cast<uint32_t>(*n);
    } else if (opt == "--max-io") {
      auto n = ModelSize(v);
      if (!n || *n > (32u << 20)) return std::nullopt;
      a.max_io = static_cast<uint32_t>(*n);
    } else {
      return std::nullopt;
    }
  }
  const bool file = a.type == "file";
  if (a.type != "null" && a.type != "mem" && !file) return std::nullopt;
  if (file == a.file.empty()) return std::nullopt;  // --file exactly with file
  if (!file && a.buffered) return std::nullopt;
  if (!file && a.size.empty()) return std::nullopt;  // file: defaults to the file's
  return a;
}

std::optional<DelArgs> ModelDel(const std::vector<absl::string_view>& t) {
  DelArgs d;
  bool have_id = false;
  for (size_t i = 0; i < t.size(); ++i) {
    const absl::string_view opt = t[i];
    if (opt == "--all" || opt == "-a") {
      d.all = true;
      continue;
    }
    if (i + 1 >= t.size()) return std::nullopt;
    const absl::string_view v = t[++i];
    if (opt != "--id" && opt != "-n") return std::nullopt;
    auto n = ModelUint(v, 0, (1u << 20) - 1);
    if (!n) return std::nullopt;
    d.id = static_cast<int32_t>(*n);
    have_id = true;
  }
  if (d.all == have_id) return std::nullopt;
  return d;
}

void CheckRefusal(const absl::Status& st) {
  FUZZ_CHECK(!st.ok());
  FUZZ_CHECK(!st.message().empty());
  FUZZ_CHECK(ublk::ToErrno(st) == EINVAL);
}

void CheckUint(absl::string_view t, uint64_t lo, uint64_t hi) {
  const auto got = ublk::cli::ParseUint(t, lo, hi);
  const auto want = ModelUint(t, lo, hi);
  FUZZ_CHECK(got.ok() == want.has_value());
  if (got.ok()) {
    FUZZ_CHECK(*got == *want);
    FUZZ_CHECK(*got >= lo && *got <= hi);
  } else {
    CheckRefusal(got.status());
  }
}

void CheckSize(absl::string_view t) {
  const auto got = ublk::cli::ParseSize(t);
  const auto want = ModelSize(t);
  if (got.ok() != want.has_value())
    std::fprintf(stderr, "ParseSize(\"%s\"): library %s, model %s\n", std::string(t).c_str(),
                 got.ok() ? "accepts" : "refuses", want ? "accepts" : "refuses");
  FUZZ_CHECK(got.ok() == want.has_value());
  if (got.ok()) {
    FUZZ_CHECK(*got == *want);
  } else {
    CheckRefusal(got.status());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // argv-sized inputs only
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> tokens;
  if (!in.empty()) {
    size_t start = 0;
    for (size_t i = 0; i <= in.size(); ++i) {
      if (i == in.size() || in[i] == '\0' || in[i] == '\n') {
        tokens.push_back(in.substr(start, i - start));
        start = i + 1;
      }
    }
  }

  for (absl::string_view t : tokens) {
    CheckSize(t);
    CheckUint(t, 0, UINT64_MAX);
    CheckUint(t, 1, 4096);
    CheckUint(t, 512, 4096);
    CheckUint(t, 0, (1u << 20) - 1);
    CheckUint(t, 4096, 1);  // empty range: always refused
    CheckUint(t, tokens.size(), size);
  }

  const auto add = ublk::cli::ParseAddArgs(tokens);
  const auto add_model = ModelAdd(tokens);
  FUZZ_CHECK(add.ok() == add_model.has_value());
  if (add.ok()) {
    const AddArgs& a = *add;
    FUZZ_CHECK(a.type == "null" || a.type == "mem" || a.type == "file");
    FUZZ_CHECK(a.type == "file" ? !a.file.empty() : !a.size.empty() && a.file.empty());
    FUZZ_CHECK(a.queues >= 1 && a.queues <= 4096);
    FUZZ_CHECK(a.depth >= 1 && a.depth <= 4096);
    FUZZ_CHECK(a.id >= -1 && a.id < (1 << 20));
    FUZZ_CHECK(a.block_size >= 512 && a.block_size <= 4096);
    FUZZ_CHECK(a.max_io <= (32u << 20));
    const AddArgs& m = *add_model;
    FUZZ_CHECK(a.type == m.type && a.size == m.size && a.queues == m.queues && a.depth == m.depth &&
               a.id == m.id && a.max_io == m.max_io && a.block_size == m.block_size &&
               a.foreground == m.foreground && a.read_only == m.read_only && a.file == m.file &&
               a.buffered == m.buffered && a.data_mode == m.data_mode && a.affinity == m.affinity &&
               a.batch_io == m.batch_io && a.queue_sched == m.queue_sched &&
               a.queue_threads == m.queue_threads);
  } else {
    CheckRefusal(add.status());
  }

  const auto del = ublk::cli::ParseDelArgs(tokens);
  const auto del_model = ModelDel(tokens);
  FUZZ_CHECK(del.ok() == del_model.has_value());
  if (del.ok()) {
    FUZZ_CHECK(del->all != (del->id >= 0));
    FUZZ_CHECK(del->id >= -1 && del->id < (1 << 20));
    FUZZ_CHECK(del->all == del_model->all && del->id == del_model->id);
  } else {
    CheckRefusal(del.status());
  }
  return 0;
}
