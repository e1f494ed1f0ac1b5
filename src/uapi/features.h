// Names of the kernel's feature flags, for `ublk features` and messages. Pure.
#pragma once

#include <cstdint>
#include <string>

namespace ublk::uapi {

// Name of feature bit `bit` ("ZERO_COPY", ...) or nullptr if unknown.
const char* FeatureName(int bit);

// "NAME|NAME|unknown-bit-23" for every set bit; "none" for 0.
std::string DescribeFeatures(uint64_t flags);

}  // namespace ublk::uapi
