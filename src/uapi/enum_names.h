// Name <-> value for the small enums the CLI and the C API take by name.
#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"

namespace ublk::uapi {

// Finds the value 0..max whose name_of() is `name`.
template <typename E>
bool EnumFromName(absl::string_view name, uint8_t max, const char* (*name_of)(E), E* out) {
  for (uint8_t v = 0; v <= max; ++v) {
    if (name == name_of(static_cast<E>(v))) {
      *out = static_cast<E>(v);
      return true;
    }
  }
  return false;
}

}  // namespace ublk::uapi
