#include "queue/batch_cmds.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "util/status.h"

namespace ublk {
namespace {

uint32_t NextPow2(uint32_t n) {
  uint32_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

BatchCmds::BatchCmds(uint16_t q_id, uint16_t depth, uint16_t elem_flags, uint16_t bgid,
                     uint16_t slot_base)
    : q_id_(q_id),
      depth_(depth),
      bgid_(bgid),
      slot_base_(slot_base),
      elem_flags_(elem_flags),
      elem_bytes_(uapi::BatchElemBytes(elem_flags)) {
  for (auto& a : arrays_) a.resize(size_t{depth} * elem_bytes_);
  // One CQE never carries more than the kernel's per-CQE cap, nor more tags
  // than the queue has; one buffer per tag can never run out (a buffer goes
  // back before its tags are committed), but a smaller ring suffices: the
  // fetch is re-armed on ENOBUFS.
  buf_bytes_ = 2 * std::min<uint32_t>(depth, uapi::kMaxTagsPerFetchCqe);
  nbufs_ = std::min<uint32_t>(NextPow2(depth), 256);
}

BatchCmds::~BatchCmds() {
  if (br_) munmap(br_, br_len_);
}

absl::Status BatchCmds::Init(io_uring* ring) {
  br_len_ = size_t{nbufs_} * sizeof(io_uring_buf);
  void* p = mmap(nullptr, br_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    br_len_ = 0;
    return ErrnoError(ENOMEM, absl::StrCat("queue ", q_id_, ": batch fetch ring"));
  }
  br_ = static_cast<io_uring_buf_ring*>(p);
  io_uring_buf_ring_init(br_);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uintptr_t>(br_);
  reg.ring_entries = nbufs_;
  reg.bgid = bgid_;
  const int r = io_uring_register_buf_ring(ring, &reg, 0);
  if (r < 0)
    return ErrnoError(-r, absl::StrCat("queue ", q_id_, ": registering the batch fetch ring"));
  fetch_bufs_.resize(size_t{nbufs_} * buf_bytes_);
  const int mask = io_uring_buf_ring_mask(nbufs_);
  for (uint32_t b = 0; b < nbufs_; ++b)
    io_uring_buf_ring_add(br_, fetch_bufs_.data() + size_t{b} * buf_bytes_, buf_bytes_,
                          static_cast<unsigned short>(b), mask, static_cast<int>(b));
  io_uring_buf_ring_advance(br_, static_cast<int>(nbufs_));
  return absl::OkStatus();
}

void BatchCmds::Add(uint16_t tag, int32_t result, uint64_t buf_addr) {
  uapi::PutBatchElem(arrays_[open_].data(), elem_flags_, count_[open_]++, tag,
                     static_cast<uint16_t>(slot_base_ + tag), result, buf_addr);
}

void BatchCmds::FillHeader(io_uring_sqe* sqe, uapi::IoCmdOp op, uint16_t nr,
                           uint8_t elem_bytes) const {
  sqe->opcode = IORING_OP_URING_CMD;
  sqe->cmd_op = static_cast<uint32_t>(op);
  uapi::BatchIo hdr{};
  hdr.q_id = q_id_;
  hdr.flags = op == uapi::IoCmdOp::kFetchIoCmds ? 0 : elem_flags_;
  hdr.nr_elem = nr;
  hdr.elem_bytes = elem_bytes;
  std::memcpy(sqe->cmd, &hdr, sizeof(hdr));
}

void BatchCmds::FillArrayCmd(io_uring_sqe* sqe, uapi::IoCmdOp op, unsigned* which) {
  FillHeader(sqe, op, static_cast<uint16_t>(count_[open_]), elem_bytes_);
  sqe->addr = reinterpret_cast<uintptr_t>(arrays_[open_].data());
  *which = open_;
  open_ ^= 1;
}

uapi::CommitOutcome BatchCmds::OnArrayCqe(unsigned which, int32_t res, uint16_t* refused_tag) {
  which &= 1;
  const uint32_t n = count_[which];
  const uapi::CommitOutcome out = uapi::ParseCommitResult(res, n, elem_bytes_);
  count_[which] = 0;
  if (out.malformed || !out.refused) return out;
  const uint8_t* base = arrays_[which].data();
  uapi::BatchElemHeader h;
  std::memcpy(&h, base + size_t{out.committed} * elem_bytes_, sizeof(h));
  *refused_tag = h.tag;
  // The rest was not looked at: send it again with the next commit.
  const uint32_t first = out.committed + 1;
  std::memcpy(arrays_[open_].data() + size_t{count_[open_]} * elem_bytes_,
              base + size_t{first} * elem_bytes_, size_t{n - first} * elem_bytes_);
  count_[open_] += n - first;
  return out;
}

void BatchCmds::FillFetch(io_uring_sqe* sqe) const {
  FillHeader(sqe, uapi::IoCmdOp::kFetchIoCmds, 0, sizeof(uint16_t));
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_index = bgid_;
  sqe->uring_cmd_flags = uapi::kUringCmdMultishot;
}

size_t BatchCmds::TakeFetched(const io_uring_cqe* cqe, uint16_t* out, uint32_t* bad) {
  *bad = 0;
  if (!(cqe->flags & IORING_CQE_F_BUFFER)) {
    if (cqe->res > 0) *bad = 1;  // tags but no buffer: cannot be
    return 0;
  }
  const uint32_t bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
  if (bid >= nbufs_) {
    *bad = 1;
    return 0;
  }
  uint8_t* buf = fetch_bufs_.data() + size_t{bid} * buf_bytes_;
  const size_t n = uapi::ParseFetchedTags(buf, buf_bytes_, cqe->res, depth_, out, bad);
  io_uring_buf_ring_add(br_, buf, buf_bytes_, static_cast<unsigned short>(bid),
                        io_uring_buf_ring_mask(nbufs_), 0);
  io_uring_buf_ring_advance(br_, 1);
  return n;
}

}  // namespace ublk
