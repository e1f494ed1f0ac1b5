#include "util/status.h"

#include <cerrno>
#include <charconv>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace ublk {
namespace {

constexpr absl::string_view kErrnoPayload = "libublk/errno";

int ErrnoFromCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 0;
    case absl::StatusCode::kInvalidArgument: return EINVAL;
    case absl::StatusCode::kNotFound: return ENOENT;
    case absl::StatusCode::kAlreadyExists: return EEXIST;
    case absl::StatusCode::kPermissionDenied: return EPERM;
    case absl::StatusCode::kResourceExhausted: return ENOMEM;
    case absl::StatusCode::kUnavailable: return EAGAIN;
    case absl::StatusCode::kDeadlineExceeded: return ETIMEDOUT;
    case absl::StatusCode::kUnimplemented: return EOPNOTSUPP;
    case absl::StatusCode::kCancelled: return ECANCELED;
    case absl::StatusCode::kOutOfRange: return ERANGE;
    case absl::StatusCode::kFailedPrecondition: return EINVAL;
    default: return EIO;
  }
}

}  // namespace

absl::Status ErrnoError(int err, absl::string_view message) {
  if (err <= 0) err = EIO;  // a caller bug must still yield a real error
  absl::Status s(absl::ErrnoToStatusCode(err), message);
  s.SetPayload(kErrnoPayload, absl::Cord(std::to_string(err)));
  return s;
}

int ToErrno(const absl::Status& status) {
  if (status.ok()) return 0;
  if (auto p = status.GetPayload(kErrnoPayload)) {
    std::string text(*p);
    int err = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), err);
    if (ec == std::errc() && err > 0) return err;
  }
  return ErrnoFromCode(status.code());
}

absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  absl::Status out(status.code(), absl::StrCat(context, ": ", status.message()));
  status.ForEachPayload(
      [&](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

}  // namespace ublk
