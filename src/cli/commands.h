// The `ublk` subcommands. Each returns the process exit status and prints
// one clear error line on failure.
#pragma once

#include <vector>
#include "absl/strings/string_view.h"

namespace ublk::cli {

using Args = std::vector<absl::string_view>;

int CmdFeatures(const Args& args);
int CmdAdd(const Args& args);
int CmdList(const Args& args);
int CmdDel(const Args& args);

}  // namespace ublk::cli
