#include "capi/guard.h"

#include "absl/strings/str_cat.h"

namespace ublk::capi {
namespace {
thread_local std::string t_last_error;
}

void SetLastError(const char* api, absl::string_view message) {
  try {
    t_last_error = absl::StrCat(api, ": ", message);
  } catch (...) {
    t_last_error.clear();  // out of memory: the errno return still tells
  }
}

const char* LastError() { return t_last_error.c_str(); }

}  // namespace ublk::capi
