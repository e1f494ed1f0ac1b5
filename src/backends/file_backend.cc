// The `file` backend: a regular file or a block device, served through the
// queue thread's own io_uring (SubmitFileOp), with no extra thread hop; a
// file in memory (tmpfs, ramfs) is read and written in the queue thread, and
// in user copy straight between the request and the file's mapping.
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "backends/builtin.h"
#include "backends/page_map.h"
#include "uapi/abi.h"
#include "util/status.h"
#include "util/unique_fd.h"

namespace ublk::backends {
namespace {

// A file in memory, mapped shared, with the pages known to hold data.
struct FileMapping {
  char* base = nullptr;
  uint64_t len = 0;
  std::unique_ptr<PageMap> pages;
};

class FileBackend final : public Backend {
 public:
  FileBackend(UniqueFd fd, BackendCaps caps, bool in_memory, FileMapping map)
      : fd_(std::move(fd)), caps_(caps), in_memory_(in_memory), map_(std::move(map)) {}
  ~FileBackend() override {
    if (map_.base) munmap(map_.base, map_.len);
  }

  BackendCaps Caps() const override { return caps_; }

  // User copy of a file in memory: the kernel copies between the request
  // and the mapping. A WRITE goes there always (it allocates what it
  // writes, as pwrite would); a READ only where every page holds data,
  // because a read fault on a hole would allocate it (pread does not).
  // A copy the kernel cannot make (file shrunk, tmpfs full) comes back
  // through Submit, whose pwrite reports the real error.
  void* DataAt(const uapi::Request& r) override {
    if (!map_.base || r.offset + r.length > map_.len) return nullptr;
    if (r.op == uapi::kOpWrite)
      map_.pages->MarkData(r.offset, r.length);
    else if (!map_.pages->AllData(r.offset, r.length))
      return nullptr;
    return map_.base + r.offset;
  }

  void Submit(Io* io) override {
    const uapi::Request& r = io->req;
    if (in_memory_ && (r.op == uapi::kOpRead || r.op == uapi::kOpWrite)) return CopyInThread(io);
    int err = -EOPNOTSUPP;
    switch (r.op) {
      case uapi::kOpRead: err = SubmitFileOp(io, fd_.get(), FileOp::kRead, r.offset, false); break;
      case uapi::kOpWrite:
        err = SubmitFileOp(io, fd_.get(), FileOp::kWrite, r.offset, r.flags & uapi::kIoFFua);
        break;
      case uapi::kOpFlush: err = SubmitFileOp(io, fd_.get(), FileOp::kFdatasync, 0, false); break;
      case uapi::kOpDiscard:
        ForgetData(r);
        err = SubmitFileOp(io, fd_.get(), FileOp::kPunchHole, r.offset, false);
        break;
      case uapi::kOpWriteZeroes:
        // NOUNMAP asks to keep the blocks allocated: zero the range in place.
        if (!(r.flags & uapi::kIoFNoUnmap)) ForgetData(r);
        err = SubmitFileOp(io, fd_.get(),
                           (r.flags & uapi::kIoFNoUnmap) ? FileOp::kZeroRange : FileOp::kPunchHole,
                           r.offset, false);
        break;
    }
    if (err) CompleteIo(io, err);
  }

 private:
  // A read or write of a file in memory: one memcpy, done here rather than
  // by an io-wq worker (io_uring cannot do it without blocking). FUA needs
  // nothing more: the page cache is all the storage there is.
  void CopyInThread(Io* io) {
    const uapi::Request& r = io->req;
    auto* buf = static_cast<char*>(io->buf);
    uint32_t done = 0;
    while (done < r.length) {
      const off_t off = static_cast<off_t>(r.offset + done);
      const ssize_t n = r.op == uapi::kOpRead ? pread(fd_.get(), buf + done, r.length - done, off)
                                              : pwrite(fd_.get(), buf + done, r.length - done, off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return CompleteIo(io, -errno);  // e.g. ENOSPC: tmpfs is full
      if (n == 0) return CompleteIo(io, -EIO);   // the file shrank under the device
      done += static_cast<uint32_t>(n);
    }
    if (r.op == uapi::kOpWrite && map_.pages) map_.pages->MarkData(r.offset, r.length);
    CompleteIo(io, static_cast<int32_t>(done));
  }

  // A punched range: its whole pages are holes again (before the punch, so
  // a read racing with it takes the pread path).
  void ForgetData(const uapi::Request& r) {
    if (map_.pages) map_.pages->MarkHole(r.offset, r.length);
  }

  UniqueFd fd_;
  BackendCaps caps_;
  bool in_memory_;
  FileMapping map_;
};

// Maps a file in memory for user copy, and finds its data pages. Nothing
// (no mapping) when that fails: the backend then copies through its buffer.
FileMapping MapInMemoryFile(int fd, uint64_t size) {
  FileMapping m;
  if (size == 0) return m;
  auto pages = PageMap::Create(size, static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
  if (!pages.ok()) return m;
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return m;
  m.base = static_cast<char*>(p);
  m.len = size;
  m.pages = std::make_unique<PageMap>(std::move(*pages));
  m.pages->MarkExtents(fd);
  return m;
}

// tmpfs and ramfs (magic numbers from statfs(2)).
bool InMemoryFs(int fd) {
  struct statfs fs;
  if (fstatfs(fd, &fs) != 0) return false;
  return fs.f_type == 0x01021994 || fs.f_type == static_cast<decltype(fs.f_type)>(0x858458f6);
}

// Whether fallocate(mode) works on `fd`, probed on an empty range past the end
// (KEEP_SIZE: nothing changes). Block devices take PUNCH_HOLE and ZERO_RANGE.
bool Supports(int fd, int mode, uint64_t size) {
  return fallocate(fd, mode | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(size), 4096) == 0;
}

}  // namespace

absl::StatusOr<FileInfo> OpenBackingFile(const std::string& path, bool buffered) {
  FileInfo fi;
  int flags = O_RDWR | O_CLOEXEC;
  int fd = buffered ? -1 : ::open(path.c_str(), flags | O_DIRECT);
  fi.direct = fd >= 0;
  if (fd < 0) fd = ::open(path.c_str(), flags);  // e.g. tmpfs has no O_DIRECT
  if (fd < 0)
    return ErrnoError(errno, absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  fi.fd.Reset(fd);
  struct stat st;
  if (fstat(fd, &st) != 0) return ErrnoError(errno, absl::StrCat("cannot stat ", path));
  fi.block_device = S_ISBLK(st.st_mode);
  if (fi.block_device) {
    if (ioctl(fd, BLKGETSIZE64, &fi.size) != 0)
      return ErrnoError(errno, absl::StrCat("cannot get the size of ", path));
    int lbs = 512;
    if (ioctl(fd, BLKSSZGET, &lbs) == 0 && lbs > 0)
      fi.logical_block_size = static_cast<uint32_t>(lbs);
  } else if (S_ISREG(st.st_mode)) {
    fi.size = static_cast<uint64_t>(st.st_size);
  } else {
    return ErrnoError(EINVAL, absl::StrCat(path, " is neither a regular file nor a block device"));
  }
  fi.in_memory = S_ISREG(st.st_mode) && InMemoryFs(fd);
  fi.punch_hole = Supports(fd, FALLOC_FL_PUNCH_HOLE, fi.size);
  fi.zero_range = Supports(fd, FALLOC_FL_ZERO_RANGE, fi.size);
  return fi;
}

std::unique_ptr<Backend> MakeFile(FileInfo info) {
  BackendCaps caps;
  caps.flush = true;  // page cache, or the device's own write cache
  caps.fua = true;    // RWF_DSYNC writes
  caps.discard = info.punch_hole;
  caps.write_zeroes = info.punch_hole && info.zero_range;
  // Data moves only by ring file ops, straight into the request's pages in
  // zero copy, except for a file in memory: copied here, from the buffer.
  caps.file_ops_only = !info.in_memory;
  FileMapping map;
  if (info.in_memory) map = MapInMemoryFile(info.fd.get(), info.size);
  caps.data_in_memory = map.base != nullptr;
  return std::make_unique<FileBackend>(std::move(info.fd), caps, info.in_memory, std::move(map));
}

}  // namespace ublk::backends
