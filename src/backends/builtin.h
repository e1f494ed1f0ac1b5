// Built-in backends.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "queue/io.h"
#include "util/unique_fd.h"

namespace ublk::backends {

// Reads return zeros, writes are accepted and dropped. Flush, discard and
// write-zeroes succeed.
std::unique_ptr<Backend> MakeNull();

// A RAM disk of `size_bytes`. Memory is reserved lazily (anonymous
// MAP_NORESERVE mapping), so only written pages cost RAM; discard and
// write-zeroes give whole pages back.
absl::StatusOr<std::unique_ptr<Backend>> MakeMem(uint64_t size_bytes);

// A backing file or block device, opened and probed.
struct FileInfo {
  UniqueFd fd;
  uint64_t size = 0;
  uint32_t logical_block_size = 512;  // of a backing block device
  bool direct = false;                // opened with O_DIRECT
  bool block_device = false;
  bool punch_hole = false;  // fallocate PUNCH_HOLE works: discard
  bool zero_range = false;  // fallocate ZERO_RANGE works: write-zeroes
  // On tmpfs or ramfs: the data is in memory, and io_uring cannot read or
  // write such a file without blocking, so it would hand every request to an
  // io-wq worker thread. The backend copies with pread/pwrite in the queue
  // thread instead (no thread hop; the copy is what a worker would do).
  bool in_memory = false;
};

// Opens `path` read-write, with O_DIRECT unless `buffered` or unsupported.
absl::StatusOr<FileInfo> OpenBackingFile(const std::string& path, bool buffered);

// The `file` backend over an opened file: I/O on the queue's own io_uring
// (reads and writes of an in_memory file: pread/pwrite in the queue thread,
// or in user copy straight between the request and the file's shared
// mapping, Backend::DataAt; reads only where the file has no hole);
// flush = fdatasync, FUA = RWF_DSYNC, discard = punch hole, write-zeroes =
// zero range (NOUNMAP) or punch hole. Advertises only what the file supports.
std::unique_ptr<Backend> MakeFile(FileInfo info);

}  // namespace ublk::backends
