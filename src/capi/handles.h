// The C handle structs: thin shells around the C++ objects.
#pragma once

#include <memory>

#include "absl/time/time.h"
#include "ctrl/control.h"
#include "queue/device.h"
#include "uapi/spec.h"
#include "ublk.h"

struct ublk_config {
  ublk::uapi::DeviceSpec spec;
  absl::Duration ctrl_timeout = ublk::ctrl::kDefaultTimeout;
};

struct ublk_dev {
  std::unique_ptr<ublk::Device> rep;
};
