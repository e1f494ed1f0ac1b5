#include "backends/page_map.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "util/status.h"

namespace ublk::backends {
namespace {

// Bits [lo, hi) of a 64-bit word, hi <= 64.
uint64_t Bits(uint64_t lo, uint64_t hi) {
  const uint64_t upto_hi = hi == 64 ? ~uint64_t{0} : (uint64_t{1} << hi) - 1;
  return upto_hi & ~((uint64_t{1} << lo) - 1);
}

}  // namespace

absl::StatusOr<PageMap> PageMap::Create(uint64_t bytes, uint64_t page) {
  if (page == 0 || (page & (page - 1)) != 0) return ErrnoError(EINVAL, "page size");
  const unsigned shift = static_cast<unsigned>(__builtin_ctzll(page));
  const uint64_t pages = (bytes + page - 1) >> shift;
  const size_t nwords = static_cast<size_t>((pages + 63) / 64);
  if (nwords == 0) return PageMap(nullptr, 0, bytes, shift);
  void* p = mmap(nullptr, nwords * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return ErrnoError(ENOMEM, absl::StrCat("cannot reserve a page map for ", bytes, " bytes"));
  return PageMap(static_cast<std::atomic<uint64_t>*>(p), nwords, bytes, shift);
}

PageMap::PageMap(PageMap&& o) noexcept
    : words_(o.words_), nwords_(o.nwords_), bytes_(o.bytes_), shift_(o.shift_) {
  o.words_ = nullptr;
  o.nwords_ = 0;
}

PageMap::~PageMap() {
  if (words_) munmap(words_, nwords_ * sizeof(uint64_t));
}

// Calls fn(word, mask) for the bits of pages [first_page, end_page), within
// the map.
template <typename Fn>
void PageMap::ForWords(uint64_t first_page, uint64_t end_page, Fn fn) const {
  end_page = std::min<uint64_t>(end_page, uint64_t{nwords_} * 64);
  for (uint64_t pg = first_page; pg < end_page;) {
    const uint64_t w = pg / 64;
    const uint64_t hi = std::min<uint64_t>(end_page - w * 64, 64);
    fn(words_[w], Bits(pg % 64, hi));
    pg = w * 64 + hi;
  }
}

void PageMap::MarkData(uint64_t off, uint64_t len) {
  if (len == 0) return;
  ForWords(off >> shift_, ((off + len - 1) >> shift_) + 1,
           [](std::atomic<uint64_t>& w, uint64_t m) { w.fetch_or(m, std::memory_order_relaxed); });
}

void PageMap::MarkHole(uint64_t off, uint64_t len) {
  const uint64_t page = uint64_t{1} << shift_;
  const uint64_t first = (off + page - 1) >> shift_;
  const uint64_t end = (off + len) >> shift_;
  ForWords(first, end, [](std::atomic<uint64_t>& w, uint64_t m) {
    w.fetch_and(~m, std::memory_order_relaxed);
  });
}

bool PageMap::AllData(uint64_t off, uint64_t len) const {
  if (len == 0 || off + len > bytes_) return false;
  bool all = true;
  ForWords(off >> shift_, ((off + len - 1) >> shift_) + 1,
           [&all](const std::atomic<uint64_t>& w, uint64_t m) {
             all = all && (w.load(std::memory_order_relaxed) & m) == m;
           });
  return all;
}

void PageMap::MarkExtents(int fd) {
  off_t pos = 0;
  while (static_cast<uint64_t>(pos) < bytes_) {
    const off_t data = lseek(fd, pos, SEEK_DATA);
    if (data < 0) {
      if (errno == EINVAL) MarkData(0, bytes_);  // no SEEK_DATA: assume data
      return;                                    // ENXIO: only a hole is left
    }
    off_t hole = lseek(fd, data, SEEK_HOLE);
    if (hole < 0) hole = static_cast<off_t>(bytes_);
    MarkData(static_cast<uint64_t>(data), static_cast<uint64_t>(hole - data));
    pos = hole;
  }
}

}  // namespace ublk::backends
