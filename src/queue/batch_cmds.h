// The queue-side state of BATCH_IO (see uapi/batch.h): the provided-buffer
// ring FETCH_IO_CMDS writes tags into, and the element arrays PREP_IO_CMDS
// and COMMIT_IO_CMDS read. Queue thread only; no allocation after Init().
//
// Commits collect in one of two arrays while CQEs are handled and leave as
// one COMMIT_IO_CMDS before the next io_uring_enter. The kernel reads an
// array when it issues the command, but the array stays untouched until the
// command's CQE is seen, so a late issue can never read a half-rewritten one.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "uapi/batch.h"

namespace ublk {

class BatchCmds {
 public:
  // `elem_flags`: uapi::kBatchF* of every PREP/COMMIT element (a buffer
  // address in copy modes, the fallback flag with automatic registration).
  // `bgid` names the fetch buffer ring (one per queue of a shared ring);
  // tag t uses sparse-table slot `slot_base + t` (automatic registration).
  BatchCmds(uint16_t q_id, uint16_t depth, uint16_t elem_flags, uint16_t bgid, uint16_t slot_base);
  ~BatchCmds();
  BatchCmds(const BatchCmds&) = delete;
  BatchCmds& operator=(const BatchCmds&) = delete;

  // Maps and registers the fetch buffer ring on `ring` (closing the ring
  // drops the registration; the destructor unmaps it).
  absl::Status Init(io_uring* ring);

  // Appends one element to the open array; its buf_index is the tag's
  // sparse-table slot (automatic registration).
  void Add(uint16_t tag, int32_t result, uint64_t buf_addr);
  uint32_t open_count() const { return count_[open_]; }
  // The array the next FillArrayCmd sends (0 or 1).
  unsigned open_array() const { return open_; }
  // The open array can be sent: it has elements and the other one is not
  // waiting for its CQE.
  bool CanSend() const { return count_[open_] > 0 && count_[open_ ^ 1] == 0; }
  // Fills `sqe` (zeroed by the caller, fd and flags set) with `op` over the
  // open array, which is then in flight as array `*which`; new elements go
  // to the other array.
  void FillArrayCmd(io_uring_sqe* sqe, uapi::IoCmdOp op, unsigned* which);
  // The CQE of array `which` (a COMMIT; PREP is all or nothing). Elements
  // the kernel did not look at move to the open array; a refused one is
  // reported in *refused_tag. Frees the array.
  uapi::CommitOutcome OnArrayCqe(unsigned which, int32_t res, uint16_t* refused_tag);

  // Forgets array `which` (after the PREP_IO_CMDS answer).
  void Discard(unsigned which) { count_[which & 1] = 0; }

  // Fills `sqe` with the multishot FETCH_IO_CMDS over the buffer ring.
  void FillFetch(io_uring_sqe* sqe) const;
  // Reads the tags of a FETCH CQE into `out` (room for max_tags_per_cqe())
  // and gives its buffer back to the ring. *bad counts malformed input.
  size_t TakeFetched(const io_uring_cqe* cqe, uint16_t* out, uint32_t* bad);
  uint32_t max_tags_per_cqe() const { return buf_bytes_ / 2; }

 private:
  void FillHeader(io_uring_sqe* sqe, uapi::IoCmdOp op, uint16_t nr, uint8_t elem_bytes) const;

  uint16_t q_id_;
  uint16_t depth_;
  uint16_t bgid_;
  uint16_t slot_base_;
  uint16_t elem_flags_;
  uint8_t elem_bytes_;
  std::vector<uint8_t> arrays_[2];  // depth elements each
  uint32_t count_[2] = {0, 0};      // elements in each (in flight: until its CQE)
  unsigned open_ = 0;
  // Fetch buffers: nbufs_ of buf_bytes_ each, behind a provided-buffer ring.
  io_uring_buf_ring* br_ = nullptr;
  size_t br_len_ = 0;
  std::vector<uint8_t> fetch_bufs_;
  uint32_t nbufs_ = 0;
  uint32_t buf_bytes_ = 0;
};

}  // namespace ublk
