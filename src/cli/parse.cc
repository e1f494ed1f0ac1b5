#include "cli/parse.h"

#include <cerrno>
#include <charconv>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "uapi/affinity.h"
#include "uapi/data_mode.h"
#include "util/status.h"

namespace ublk::cli {
namespace {

absl::Status Bad(absl::string_view msg) { return ErrnoError(EINVAL, msg); }

// "" or "B": bytes; "K", "KB", "KiB" (any case): 2^10; and so on. A unit
// letter is required before "B"/"iB", so "BB" or "BiB" are refused.
int ShiftFor(absl::string_view suffix) {
  std::string s = absl::AsciiStrToUpper(suffix);
  if (s.empty() || s == "B") return 0;
  const bool iec = s.size() == 3 && s.substr(1) == "IB";  // "KiB"
  const bool si = s.size() == 2 && s[1] == 'B';           // "KB" (binary too)
  if (iec || si) s.resize(1);
  if (s == "K") return 10;
  if (s == "M") return 20;
  if (s == "G") return 30;
  if (s == "T") return 40;
  if (s == "P") return 50;
  return -1;  // includes "B" left over from "BB"/"BIB"
}

}  // namespace

absl::StatusOr<uint64_t> ParseUint(absl::string_view text, uint64_t lo, uint64_t hi) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size())
    return Bad(absl::StrCat("'", text, "' is not a number"));
  if (v < lo || v > hi) return Bad(absl::StrCat(v, " is outside [", lo, ", ", hi, "]"));
  return v;
}

absl::StatusOr<uint64_t> ParseSize(absl::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return Bad(absl::StrCat("bad size '", text, "' (e.g. 512M, 1G, 4096)"));
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + digits, v);
  if (ec != std::errc()) return Bad(absl::StrCat("size '", text, "' is too large"));
  const int shift = ShiftFor(text.substr(digits));
  if (shift < 0) return Bad(absl::StrCat("bad size suffix in '", text, "' (use K, M, G, T, P)"));
  if (shift && v > (UINT64_MAX >> shift))
    return Bad(absl::StrCat("size '", text, "' is too large"));
  return v << shift;
}

namespace {

// Walks "--opt value" pairs; `handle` gets (option, value-or-empty).
template <typename F>
absl::Status WalkOptions(const std::vector<absl::string_view>& args,
                         std::initializer_list<absl::string_view> flags, F&& handle) {
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view opt = args[i];
    bool is_flag = false;
    for (auto f : flags) is_flag |= (opt == f);
    if (is_flag) {
      UBLK_RETURN_IF_ERROR(handle(opt, absl::string_view()));
      continue;
    }
    if (i + 1 >= args.size()) return Bad(absl::StrCat("option ", opt, " needs a value"));
    UBLK_RETURN_IF_ERROR(handle(opt, args[++i]));
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status SetUint(absl::string_view opt, absl::string_view v, uint64_t lo, uint64_t hi, T* out) {
  auto r = ParseUint(v, lo, hi);
  if (!r.ok()) return Bad(absl::StrCat(opt, ": ", r.status().message()));
  *out = static_cast<T>(*r);
  return absl::OkStatus();
}

}  // namespace

namespace {

// One "add" option (`v` is empty for flags).
absl::Status ApplyAddOption(AddArgs& a, absl::string_view opt, absl::string_view v) {
  if (opt == "--foreground") {
    a.foreground = true;
  } else if (opt == "--read-only") {
    a.read_only = true;
  } else if (opt == "--buffered") {
    a.buffered = true;
  } else if (opt == "--user-copy" || opt == "--zero-copy" || opt == "--data-mode") {
    const absl::string_view mode = opt == "--data-mode" ? v : opt.substr(2);
    uapi::DataMode m;
    if (!uapi::DataModeFromName(mode, &m))
      return Bad(absl::StrCat("unknown data mode '", mode,
                              "' (copy, need-get-data, user-copy, zero-copy, "
                              "zero-copy-manual, auto)"));
    if (a.data_mode && *a.data_mode != m) return Bad("give one data mode");
    a.data_mode = m;
  } else if (opt == "--affinity") {
    if (!uapi::QueueAffinityFromName(v, &a.affinity))
      return Bad(absl::StrCat("unknown affinity '", v, "' (auto, queue, none)"));
  } else if (opt == "--queue-sched") {
    if (!uapi::QueueSchedFromName(v, &a.queue_sched))
      return Bad(absl::StrCat("unknown queue scheduling policy '", v, "' (inherit, batch)"));
  } else if (opt == "--batch-io") {
    uapi::BatchIoPolicy b;
    if (!uapi::BatchIoPolicyFromName(v, &b))
      return Bad(absl::StrCat("unknown batch I/O policy '", v, "' (auto, on, off)"));
    a.batch_io = b;
  } else if (opt == "--type" || opt == "-t") {
    a.type = std::string(v);
  } else if (opt == "--size" || opt == "-s") {
    a.size = std::string(v);
  } else if (opt == "--file" || opt == "-f") {
    a.file = std::string(v);
  } else if (opt == "--queue-threads") {
    return SetUint(opt, v, 0, 4096, &a.queue_threads);
  } else if (opt == "--queues" || opt == "-q") {
    return SetUint(opt, v, 1, 4096, &a.queues);
  } else if (opt == "--depth" || opt == "-d") {
    return SetUint(opt, v, 1, 4096, &a.depth);
  } else if (opt == "--id" || opt == "-n") {
    return SetUint(opt, v, 0, (1u << 20) - 1, &a.id);
  } else if (opt == "--block-size") {
    return SetUint(opt, v, 512, 4096, &a.block_size);
  } else if (opt == "--max-io") {
    auto r = ParseSize(v);
    if (!r.ok()) return Bad(absl::StrCat(opt, ": ", r.status().message()));
    if (*r > (32u << 20)) return Bad(absl::StrCat(opt, ": at most 32M"));
    a.max_io = static_cast<uint32_t>(*r);
  } else {
    return Bad(absl::StrCat("unknown option ", opt));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AddArgs> ParseAddArgs(const std::vector<absl::string_view>& args) {
  AddArgs a;
  absl::Status s = WalkOptions(
      args, {"--foreground", "--read-only", "--buffered", "--user-copy", "--zero-copy"},
      [&](absl::string_view opt, absl::string_view v) { return ApplyAddOption(a, opt, v); });
  if (!s.ok()) return s;
  if (a.type.empty()) return Bad("--type is required (null, mem or file)");
  if (a.type != "null" && a.type != "mem" && a.type != "file")
    return Bad(absl::StrCat("unknown type '", a.type, "' (null, mem or file)"));
  if (a.type == "file" && a.file.empty()) return Bad("--type file needs --file PATH");
  if (a.type != "file" && !a.file.empty()) return Bad("--file is only for --type file");
  if (a.type != "file" && a.buffered) return Bad("--buffered is only for --type file");
  if (a.size.empty() && a.type != "file") return Bad("--size is required (e.g. --size 1G)");
  return a;
}

absl::StatusOr<DelArgs> ParseDelArgs(const std::vector<absl::string_view>& args) {
  DelArgs d;
  bool have_id = false;
  absl::Status s = WalkOptions(args, {"--all", "-a"},
                               [&](absl::string_view opt, absl::string_view v) -> absl::Status {
                                 if (opt == "--all" || opt == "-a") {
                                   d.all = true;
                                   return absl::OkStatus();
                                 }
                                 if (opt == "--id" || opt == "-n") {
                                   have_id = true;
                                   return SetUint(opt, v, 0, (1u << 20) - 1, &d.id);
                                 }
                                 return Bad(absl::StrCat("unknown option ", opt));
                               });
  if (!s.ok()) return s;
  if (d.all == have_id) return Bad("give exactly one of --id N or --all");
  return d;
}

}  // namespace ublk::cli
