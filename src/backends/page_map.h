// One bit per page of a file: set where the file is known to hold data (no
// hole). Lets the `file` backend read a tmpfs file through its mapping only
// where that allocates nothing: a read fault on a tmpfs hole would allocate
// a page of zeros, which reading with pread does not.
//
// Any thread: the bits are atomics, so the queue threads share one map
// without a lock. A stale bit costs memory, never data: a page marked as
// data that is a hole (punched by another process) reads as zeros through
// the mapping too, it just gets allocated.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"

namespace ublk::backends {

class PageMap {
 public:
  // For `bytes` of file in pages of `page` bytes (a power of two). The bits
  // live in a lazily reserved mapping: only the parts touched cost memory.
  static absl::StatusOr<PageMap> Create(uint64_t bytes, uint64_t page);
  PageMap(PageMap&& other) noexcept;
  PageMap& operator=(PageMap&&) = delete;
  PageMap(const PageMap&) = delete;
  PageMap& operator=(const PageMap&) = delete;
  ~PageMap();

  // Sets the bits of every page that [off, off + len) touches.
  void MarkData(uint64_t off, uint64_t len);
  // Clears the bits of the pages wholly inside [off, off + len) (a punched
  // hole frees only whole pages; the partial ones stay allocated).
  void MarkHole(uint64_t off, uint64_t len);
  // Whether every page [off, off + len) touches is marked as data.
  bool AllData(uint64_t off, uint64_t len) const;
  // Marks the data extents of `fd` (SEEK_DATA / SEEK_HOLE). A file system
  // without them counts as all data.
  void MarkExtents(int fd);

 private:
  PageMap(std::atomic<uint64_t>* words, size_t nwords, uint64_t bytes, unsigned shift)
      : words_(words), nwords_(nwords), bytes_(bytes), shift_(shift) {}
  template <typename Fn>
  void ForWords(uint64_t first_page, uint64_t end_page, Fn fn) const;

  std::atomic<uint64_t>* words_ = nullptr;
  size_t nwords_ = 0;
  uint64_t bytes_ = 0;
  unsigned shift_ = 12;
};

}  // namespace ublk::backends
