// `ublk`: the command-line front end of libublk.
#include <cstdio>
#include <vector>
#include "absl/strings/string_view.h"

#include "cli/commands.h"
#include "ublk.h"

namespace {

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: ublk <command> [options]\n"
               "  features                       kernel ublk features, decoded\n"
               "  add --type null|mem --size SIZE [--queues N] [--depth N] [--id N]\n"
               "  add --type file --file PATH [--buffered] [--size SIZE] [...]\n"
               "      [--block-size N] [--max-io SIZE] [--read-only] [--foreground]\n"
               "      [--data-mode auto|copy|need-get-data|user-copy|zero-copy|zero-copy-manual]\n"
               "                                 default auto: zero copy for files where the\n"
               "                                 kernel has it, user copy for data in memory\n"
               "                                 (mem, tmpfs files), else copy\n"
               "      [--user-copy] [--zero-copy]     short for --data-mode user-copy|zero-copy\n"
               "      [--affinity auto|queue|none]  CPUs of the queue threads; default auto:\n"
               "                                 the queue's CPUs unless it has only one\n"
               "      [--queue-sched inherit|batch]  batch: SCHED_BATCH queue threads, which\n"
               "                                 do not preempt a submitter when woken\n"
               "      [--queue-threads N]        N threads serve the queues, each a run of\n"
               "                                 them on one io_uring; default 0: one per queue\n"
               "      [--batch-io auto|on|off]   BATCH_IO commands (kernel 7.0+): one command\n"
               "                                 commits or fetches many requests\n"
               "                                 create and serve a device; prints its path\n"
               "  list                           devices: id, state, queues, depth, size, pid\n"
               "  del --id N | --all             stop and delete devices\n"
               "  version                        library version\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    Usage(stderr);
    return 2;
  }
  const absl::string_view cmd = argv[1];
  const std::vector<absl::string_view> args(argv + 2, argv + argc);
  if (cmd == "features") return ublk::cli::CmdFeatures(args);
  if (cmd == "add") return ublk::cli::CmdAdd(args);
  if (cmd == "list") return ublk::cli::CmdList(args);
  if (cmd == "del") return ublk::cli::CmdDel(args);
  if (cmd == "version") {
    const uint32_t v = ublk_version();
    std::printf("libublk %u.%u.%u\n", v >> 16, (v >> 8) & 0xff, v & 0xff);
    return 0;
  }
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    Usage(stdout);
    return 0;
  }
  std::fprintf(stderr, "ublk: unknown command '%.*s'\n", static_cast<int>(cmd.size()), cmd.data());
  Usage(stderr);
  return 2;
}
