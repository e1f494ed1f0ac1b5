// Error plumbing shared by every layer: absl::Status inside, -errno outside.
//
// absl maps errno values many-to-one onto status codes, so the exact errno
// travels in a payload; ToNegErrno() reads it back at the C boundary.
#pragma once

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ublk {

// A status carrying `err` (a positive errno value) and a message.
absl::Status ErrnoError(int err, absl::string_view message);

// The errno a status stands for: its payload if it has one, else a fixed
// mapping from the status code. 0 for OK.
int ToErrno(const absl::Status& status);

// -ToErrno(status), the form every C API function returns.
inline int ToNegErrno(const absl::Status& status) { return -ToErrno(status); }

// Prefixes the status message with `context` ("ADD_DEV: ..."), keeping the
// code and errno payload.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

}  // namespace ublk

#define UBLK_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::absl::Status ublk_status_ = (expr);        \
    if (!ublk_status_.ok()) return ublk_status_; \
  } while (0)

#define UBLK_STATUS_CONCAT_INNER_(a, b) a##b
#define UBLK_STATUS_CONCAT_(a, b) UBLK_STATUS_CONCAT_INNER_(a, b)
#define UBLK_ASSIGN_OR_RETURN(lhs, expr) \
  UBLK_ASSIGN_OR_RETURN_IMPL_(UBLK_STATUS_CONCAT_(ublk_statusor_, __LINE__), lhs, expr)
// `lhs` may be a declaration ("auto x"), so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define UBLK_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
