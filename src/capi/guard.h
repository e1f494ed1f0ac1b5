// The one way into the library from C: sets the error context, converts the
// status to -errno, stores the message and catches every exception.
#pragma once

#include <cerrno>
#include <new>
#include <string>

#include "absl/status/status.h"
#include "util/status.h"

namespace ublk::capi {

// Records `message` as this thread's last error ("<api>: <message>").
void SetLastError(const char* api, absl::string_view message);
const char* LastError();

template <typename F>
int Call(const char* api, F&& body) noexcept {
  try {
    absl::Status s = body();
    if (s.ok()) return 0;
    SetLastError(api, s.message());
    return ToNegErrno(s);
  } catch (const std::bad_alloc&) {
    SetLastError(api, "out of memory");
    return -ENOMEM;
  } catch (const std::exception& e) {
    SetLastError(api, e.what());
    return -EIO;
  } catch (...) {
    SetLastError(api, "unknown internal error");
    return -EIO;
  }
}

inline absl::Status NullArg(const char* name) {
  return ErrnoError(EINVAL, std::string(name) + " is NULL");
}

}  // namespace ublk::capi
