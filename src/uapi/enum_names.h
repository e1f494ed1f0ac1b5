// Name <-> value for the small enums the CLI and the C API take by name:
// each enum keeps one table of names, indexed by value.
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace ublk::uapi {

// The name of `value` in `names`, or "unknown" past the table's end.
template <typename E, size_t N>
const char* EnumName(E value, const char* const (&names)[N]) {
  const auto v = static_cast<size_t>(value);
  return v < N ? names[v] : "unknown";
}

// Finds the value whose name in `names` is `name`.
template <typename E, size_t N>
bool EnumFromName(absl::string_view name, const char* const (&names)[N], E* out) {
  for (size_t v = 0; v < N; ++v) {
    if (name == names[v]) {
      *out = static_cast<E>(v);
      return true;
    }
  }
  return false;
}

}  // namespace ublk::uapi
