// The commit arrays of BATCH_IO: alternation, and resending what a partial
// COMMIT_IO_CMDS answer left out (queue/batch_cmds.h). No kernel needed.
#include "queue/batch_cmds.h"

#include <cstring>
#include <vector>

#include "gtest/gtest.h"

namespace ublk {
namespace {

using uapi::BatchElemHeader;

// The tags of the `nr` elements an SQE's array holds.
std::vector<uint16_t> Tags(const io_uring_sqe& sqe, uint8_t elem_bytes) {
  uapi::BatchIo hdr;
  std::memcpy(&hdr, sqe.cmd, sizeof(hdr));
  std::vector<uint16_t> tags;
  const auto* base = reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(sqe.addr));
  for (uint16_t i = 0; i < hdr.nr_elem; ++i) {
    BatchElemHeader h;
    std::memcpy(&h, base + size_t{i} * elem_bytes, sizeof(h));
    tags.push_back(h.tag);
  }
  return tags;
}

TEST(BatchCmds, CommitHeaderAndElements) {
  BatchCmds b(3, 8, uapi::kBatchFHasBufAddr, 0, 0);
  b.Add(5, 4096, 0x1000);
  b.Add(2, -5, 0x2000);
  ASSERT_TRUE(b.CanSend());
  io_uring_sqe sqe{};
  unsigned which = 9;
  b.FillArrayCmd(&sqe, uapi::IoCmdOp::kCommitIoCmds, &which);
  EXPECT_EQ(which, 0u);
  EXPECT_EQ(sqe.opcode, IORING_OP_URING_CMD);
  EXPECT_EQ(sqe.cmd_op, static_cast<uint32_t>(uapi::IoCmdOp::kCommitIoCmds));
  uapi::BatchIo hdr;
  std::memcpy(&hdr, sqe.cmd, sizeof(hdr));
  EXPECT_EQ(hdr.q_id, 3);
  EXPECT_EQ(hdr.flags, uapi::kBatchFHasBufAddr);
  EXPECT_EQ(hdr.nr_elem, 2);
  EXPECT_EQ(hdr.elem_bytes, 16);
  EXPECT_EQ(Tags(sqe, 16), (std::vector<uint16_t>{5, 2}));
  uint64_t addr;
  std::memcpy(&addr, reinterpret_cast<const uint8_t*>(sqe.addr) + 16 + 8, sizeof(addr));
  EXPECT_EQ(addr, 0x2000u);
}

// The second queue of a shared ring: its elements name slots after the first
// queue's, and its fetch uses its own buffer group.
TEST(BatchCmds, ASharedRingQueueUsesItsSlotsAndBufferGroup) {
  BatchCmds b(7, 8, 0, /*bgid=*/1, /*slot_base=*/8);
  b.Add(3, 0, 0);
  io_uring_sqe sqe{};
  unsigned which = 0;
  b.FillArrayCmd(&sqe, uapi::IoCmdOp::kCommitIoCmds, &which);
  BatchElemHeader h;
  std::memcpy(&h, reinterpret_cast<const uint8_t*>(sqe.addr), sizeof(h));
  EXPECT_EQ(h.tag, 3);
  EXPECT_EQ(h.buf_index, 11);
  io_uring_sqe fetch{};
  b.FillFetch(&fetch);
  EXPECT_EQ(fetch.buf_index, 1);
  EXPECT_TRUE(fetch.flags & IOSQE_BUFFER_SELECT);
}

TEST(BatchCmds, AnArrayInFlightIsNotReusedUntilItsAnswer) {
  BatchCmds b(0, 8, 0, 0, 0);
  b.Add(1, 0, 0);
  io_uring_sqe sqe{};
  unsigned a = 0;
  b.FillArrayCmd(&sqe, uapi::IoCmdOp::kCommitIoCmds, &a);
  b.Add(2, 0, 0);
  EXPECT_FALSE(b.CanSend());  // array `a` still waits for its CQE
  uint16_t refused = 0;
  EXPECT_FALSE(b.OnArrayCqe(a, 8, &refused).refused);
  EXPECT_TRUE(b.CanSend());
}

TEST(BatchCmds, PartialCommitResendsWhatWasNotLookedAt) {
  BatchCmds b(0, 8, 0, 0, 0);
  for (uint16_t t : {4, 5, 6, 7}) b.Add(t, 0, 0);
  io_uring_sqe sqe{};
  unsigned which = 0;
  b.FillArrayCmd(&sqe, uapi::IoCmdOp::kCommitIoCmds, &which);
  b.Add(1, 0, 0);  // completed meanwhile, in the other array
  uint16_t refused = 0;
  const uapi::CommitOutcome out = b.OnArrayCqe(which, 1 * 8, &refused);  // tag 4 done, 5 refused
  EXPECT_TRUE(out.refused);
  EXPECT_EQ(out.committed, 1u);
  EXPECT_EQ(refused, 5);
  ASSERT_TRUE(b.CanSend());
  io_uring_sqe again{};
  b.FillArrayCmd(&again, uapi::IoCmdOp::kCommitIoCmds, &which);
  EXPECT_EQ(Tags(again, 8), (std::vector<uint16_t>{1, 6, 7}));
}

TEST(BatchCmds, ErrorAnswerRefusesTheFirst) {
  BatchCmds b(0, 4, 0, 0, 0);
  b.Add(3, 0, 0);
  b.Add(0, 0, 0);
  io_uring_sqe sqe{};
  unsigned which = 0;
  b.FillArrayCmd(&sqe, uapi::IoCmdOp::kCommitIoCmds, &which);
  uint16_t refused = 99;
  EXPECT_TRUE(b.OnArrayCqe(which, -16, &refused).refused);
  EXPECT_EQ(refused, 3);
  EXPECT_EQ(b.open_count(), 1u);  // tag 0 goes again
}

TEST(BatchCmds, FetchSqeIsMultishotWithBufferSelect) {
  BatchCmds b(1, 64, 0, 0, 0);
  io_uring_sqe sqe{};
  b.FillFetch(&sqe);
  EXPECT_EQ(sqe.cmd_op, static_cast<uint32_t>(uapi::IoCmdOp::kFetchIoCmds));
  EXPECT_EQ(sqe.uring_cmd_flags, uapi::kUringCmdMultishot);
  EXPECT_TRUE(sqe.flags & IOSQE_BUFFER_SELECT);
  uapi::BatchIo hdr;
  std::memcpy(&hdr, sqe.cmd, sizeof(hdr));
  EXPECT_EQ(hdr.q_id, 1);
  EXPECT_EQ(hdr.elem_bytes, 2);
  EXPECT_EQ(hdr.flags, 0);
  EXPECT_EQ(b.max_tags_per_cqe(), 64u);
}

}  // namespace
}  // namespace ublk
