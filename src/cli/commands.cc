#include "cli/commands.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "backends/builtin.h"
#include "cli/parse.h"
#include "ctrl/control.h"
#include "queue/device.h"
#include "uapi/features.h"
#include "util/status.h"

namespace ublk::cli {
namespace {

int Fail(absl::string_view cmd, const absl::Status& s) {
  std::fprintf(stderr, "ublk %.*s: %.*s\n", static_cast<int>(cmd.size()), cmd.data(),
               static_cast<int>(s.message().size()), s.message().data());
  return 1;
}

const char* StateName(uint16_t state) {
  switch (static_cast<uapi::DevState>(state)) {
    case uapi::DevState::kDead: return "dead";
    case uapi::DevState::kLive: return "live";
    case uapi::DevState::kQuiesced: return "quiesced";
    case uapi::DevState::kFailIo: return "fail-io";
  }
  return "unknown";
}

std::string HumanSize(uint64_t bytes) {
  const char* units[] = {"B", "K", "M", "G", "T", "P"};
  int u = 0;
  while (u < 5 && bytes >= 1024 && bytes % 1024 == 0) bytes /= 1024, ++u;
  return absl::StrCat(bytes, units[u]);
}

// Ids of existing ublk devices, from the char devices' sysfs class (or /dev).
std::vector<uint32_t> ListIds() {
  std::vector<uint32_t> ids;
  for (const char* dir : {"/sys/class/ublk-char", "/dev"}) {
    DIR* d = opendir(dir);
    if (!d) continue;
    while (dirent* e = readdir(d)) {
      absl::string_view name = e->d_name;
      uint32_t id;
      if (name.substr(0, 5) == "ublkc" && absl::SimpleAtoi(name.substr(5), &id)) ids.push_back(id);
    }
    closedir(d);
    if (!ids.empty()) break;
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

bool ProcessGone(int32_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0) return true;
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(stat, line);
  const size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

// ---- add -------------------------------------------------------------------

// Everything `ublk add` decided before forking.
struct AddPlan {
  uapi::DeviceSpec spec;
  std::string type;
  backends::FileInfo file;  // --type file
};

absl::StatusOr<AddPlan> Plan(const AddArgs& a) {
  AddPlan p;
  p.type = a.type;
  uapi::DeviceSpec& s = p.spec;
  s.logical_block_size = a.block_size;
  s.nr_queues = a.queues;
  s.queue_depth = a.depth;
  if (a.max_io) s.max_io_bytes = a.max_io;
  s.dev_id = a.id < 0 ? uapi::kAutoDevId : static_cast<uint32_t>(a.id);
  s.read_only = a.read_only;
  s.data_mode = a.data_mode.value_or(uapi::DataMode::kAuto);  // serve as fast as it can
  s.queue_affinity = a.affinity;
  s.queue_sched = a.queue_sched;
  s.queue_threads = a.queue_threads;
  if (a.batch_io) s.batch_io = *a.batch_io;
  if (!a.size.empty()) {
    UBLK_ASSIGN_OR_RETURN(s.size_bytes, ParseSize(a.size));
  }
  if (a.type == "file") {
    UBLK_ASSIGN_OR_RETURN(p.file, backends::OpenBackingFile(a.file, a.buffered));
    // O_DIRECT on a device with larger sectors needs requests of that size.
    if (p.file.direct && p.file.logical_block_size > s.logical_block_size)
      s.logical_block_size = p.file.logical_block_size;
    if (a.size.empty()) s.size_bytes = p.file.size / s.logical_block_size * s.logical_block_size;
    if (s.size_bytes > p.file.size)
      return ErrnoError(EINVAL, absl::StrCat("--size ", s.size_bytes, " is larger than ", a.file,
                                             " (", p.file.size, " bytes)"));
  }
  UBLK_RETURN_IF_ERROR(uapi::ValidateSpec(s));  // refuse before any allocation
  return p;
}

absl::StatusOr<std::unique_ptr<Device>> CreateDevice(AddPlan plan) {
  std::unique_ptr<Backend> backend;
  if (plan.type == "null") {
    backend = backends::MakeNull();
  } else if (plan.type == "mem") {
    UBLK_ASSIGN_OR_RETURN(backend, backends::MakeMem(plan.spec.size_bytes));
  } else {
    backend = backends::MakeFile(std::move(plan.file));
  }
  UBLK_ASSIGN_OR_RETURN(auto dev, Device::Create(plan.spec, std::move(backend)));
  UBLK_RETURN_IF_ERROR(dev->Start());
  return dev;
}

// Serves `dev` until it is stopped by a signal or by `ublk del`.
absl::Status Serve(Device* dev, const sigset_t& sigs) {
  std::atomic<bool> done{false};
  std::thread sig_thread([&] {
    int sig = 0;
    while (sigwait(&sigs, &sig) == 0) {
      if (done.load()) return;
      (void)dev->Stop();
    }
  });
  dev->Wait();
  done.store(true);
  pthread_kill(sig_thread.native_handle(), SIGUSR1);  // wakes sigwait
  sig_thread.join();
  // Visible with --foreground (a daemon's stderr is /dev/null).
  const DeviceStats st = dev->stats();
  std::fprintf(stderr, "%s: data mode %s%s: %llu requests, %llu bytes copied\n",
               dev->bdev_path().c_str(), uapi::DataModeName(dev->data_plan().mode),
               dev->batch_io() ? ", batch I/O" : "", static_cast<unsigned long long>(st.requests),
               static_cast<unsigned long long>(st.bytes_copied));
  return dev->Close();
}

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n <= 0 && errno != EINTR) return;
    if (n > 0) off += static_cast<size_t>(n);
  }
}

// Child side of daemonizing: new session, no terminal, report through `fd`.
[[noreturn]] void RunDaemon(AddPlan plan, const sigset_t& sigs, int fd) {
  setsid();
  auto dev = CreateDevice(std::move(plan));
  if (!dev.ok()) {
    WriteAll(fd, absl::StrCat("ERR ", dev.status().message(), "\n"));
    _exit(1);
  }
  WriteAll(fd, absl::StrCat("OK ", (*dev)->bdev_path(), "\n"));
  close(fd);
  const int null_fd = open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    dup2(null_fd, 0), dup2(null_fd, 1), dup2(null_fd, 2);
    if (null_fd > 2) close(null_fd);
  }
  _exit(Serve(dev->get(), sigs).ok() ? 0 : 1);
}

int Daemonize(AddPlan plan, const sigset_t& sigs) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return Fail("add", ErrnoError(errno, "pipe failed"));
  const pid_t pid = fork();
  if (pid < 0) return Fail("add", ErrnoError(errno, "fork failed"));
  if (pid == 0) {
    close(p[0]);
    RunDaemon(std::move(plan), sigs, p[1]);
  }
  close(p[1]);
  std::string msg;
  char buf[512];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) msg.append(buf, static_cast<size_t>(n));
  close(p[0]);
  if (msg.rfind("OK ", 0) == 0) {
    std::fputs(msg.c_str() + 3, stdout);
    return 0;
  }
  if (msg.rfind("ERR ", 0) == 0) {
    std::fprintf(stderr, "ublk add: %s", msg.c_str() + 4);
    return 1;
  }
  std::fprintf(stderr, "ublk add: the device daemon exited unexpectedly\n");
  return 1;
}

}  // namespace

int CmdFeatures(const Args& args) {
  if (!args.empty()) return Fail("features", ErrnoError(EINVAL, "takes no arguments"));
  auto control = ctrl::Control::Open();
  if (!control.ok()) return Fail("features", control.status());
  bool supported = false;
  auto f = (*control)->GetFeatures(&supported);
  if (!f.ok()) return Fail("features", f.status());
  if (!supported) {
    std::printf("GET_FEATURES is not supported by this kernel (before 6.5)\n");
    return 0;
  }
  std::printf("features: 0x%llx\n", static_cast<unsigned long long>(*f));
  for (int bit = 0; bit < 64; ++bit) {
    if (!(*f & (uint64_t{1} << bit))) continue;
    const char* name = uapi::FeatureName(bit);
    if (name)
      std::printf("  bit %2d  %s\n", bit, name);
    else
      std::printf("  bit %2d  unknown\n", bit);
  }
  return 0;
}

int CmdAdd(const Args& args) {
  auto a = ParseAddArgs(args);
  if (!a.ok()) return Fail("add", a.status());
  auto plan = Plan(*a);  // everything checked before forking
  if (!plan.ok()) return Fail("add", plan.status());

  sigset_t sigs;  // handled by a dedicated thread, blocked everywhere else
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGHUP);
  sigaddset(&sigs, SIGUSR1);  // internal: wakes the signal thread at exit
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  if (!a->foreground) return Daemonize(*std::move(plan), sigs);
  auto dev = CreateDevice(*std::move(plan));
  if (!dev.ok()) return Fail("add", dev.status());
  std::printf("%s\n", (*dev)->bdev_path().c_str());
  std::fflush(stdout);
  absl::Status s = Serve(dev->get(), sigs);
  return s.ok() ? 0 : Fail("add", s);
}

int CmdList(const Args& args) {
  if (!args.empty()) return Fail("list", ErrnoError(EINVAL, "takes no arguments"));
  auto control = ctrl::Control::Open();
  if (!control.ok()) return Fail("list", control.status());
  std::printf("%-4s %-8s %-6s %-5s %-8s %-7s %-12s %s\n", "ID", "STATE", "QUEUES", "DEPTH", "SIZE",
              "PID", "BDEV", "FLAGS");
  for (uint32_t id : ListIds()) {
    uapi::DevInfo info{};
    if (!(*control)->GetDevInfo(id, &info).ok()) continue;  // vanished meanwhile
    uapi::Params p{};
    const bool have_params = (*control)->GetParams(id, &p).ok();
    const std::string size =
        have_params ? HumanSize(p.basic.dev_sectors << uapi::kSectorShift) : "-";
    std::printf("%-4u %-8s %-6u %-5u %-8s %-7d %-12s %s\n", id, StateName(info.state),
                info.nr_hw_queues, info.queue_depth, size.c_str(), info.ublksrv_pid,
                absl::StrCat("/dev/ublkb", id).c_str(), uapi::DescribeFeatures(info.flags).c_str());
  }
  return 0;
}

namespace {

absl::Status DeleteOne(ctrl::Control& control, uint32_t id) {
  uapi::DevInfo info{};
  UBLK_RETURN_IF_ERROR(control.GetDevInfo(id, &info));
  absl::Status s = control.StopDev(id);
  if (!s.ok() && ToErrno(s) != ENODEV) return s;
  // Let the serving process notice, release its char device and delete.
  const absl::Time deadline = absl::Now() + control.timeout();
  while (info.ublksrv_pid > 0 && info.ublksrv_pid != getpid() && !ProcessGone(info.ublksrv_pid) &&
         absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(10));
  s = control.DelDev(id);
  if (!s.ok() && ToErrno(s) != ENODEV) return s;
  return absl::OkStatus();
}

}  // namespace

int CmdDel(const Args& args) {
  auto d = ParseDelArgs(args);
  if (!d.ok()) return Fail("del", d.status());
  auto control = ctrl::Control::Open();
  if (!control.ok()) return Fail("del", control.status());
  std::vector<uint32_t> ids;
  if (d->all)
    ids = ListIds();
  else
    ids.push_back(static_cast<uint32_t>(d->id));
  int rc = 0;
  for (uint32_t id : ids) {
    absl::Status s = DeleteOne(**control, id);
    if (!s.ok()) rc = Fail("del", Annotate(s, absl::StrCat("device ", id)));
  }
  return rc;
}

}  // namespace ublk::cli
