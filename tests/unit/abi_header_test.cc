// Our own ABI definitions against the system's <linux/ublk_cmd.h>. That
// header is old (Debian 12: Linux 6.1), so only what it defines is compared
// here; tests/abi/check-newest.sh compares everything against the newest
// header from Debian's linux-libc-dev.
#include <linux/ublk_cmd.h>

#include <cstddef>

#include "gtest/gtest.h"
#include "uapi/abi.h"

namespace ublk::uapi {
namespace {

#define EXPECT_LAYOUT(ours, theirs, ofield, tfield)                       \
  EXPECT_EQ(offsetof(ours, ofield), offsetof(theirs, tfield)) << #ofield; \
  EXPECT_EQ(sizeof(ours::ofield), sizeof(theirs::tfield)) << #ofield

TEST(AbiSystemHeader, CtrlCmd) {
  EXPECT_EQ(sizeof(CtrlCmd), sizeof(ublksrv_ctrl_cmd));
  EXPECT_LAYOUT(CtrlCmd, ublksrv_ctrl_cmd, dev_id, dev_id);
  EXPECT_LAYOUT(CtrlCmd, ublksrv_ctrl_cmd, queue_id, queue_id);
  EXPECT_LAYOUT(CtrlCmd, ublksrv_ctrl_cmd, len, len);
  EXPECT_LAYOUT(CtrlCmd, ublksrv_ctrl_cmd, addr, addr);
  // 6.1 declares data[2] where newer headers have data[1] + dev_path_len.
  EXPECT_EQ(offsetof(CtrlCmd, data), offsetof(ublksrv_ctrl_cmd, data));
}

TEST(AbiSystemHeader, DevInfo) {
  EXPECT_EQ(sizeof(DevInfo), sizeof(ublksrv_ctrl_dev_info));
  EXPECT_LAYOUT(DevInfo, ublksrv_ctrl_dev_info, nr_hw_queues, nr_hw_queues);
  EXPECT_LAYOUT(DevInfo, ublksrv_ctrl_dev_info, queue_depth, queue_depth);
  EXPECT_LAYOUT(DevInfo, ublksrv_ctrl_dev_info, state, state);
  EXPECT_LAYOUT(DevInfo, ublksrv_ctrl_dev_info, max_io_buf_bytes, max_io_buf_bytes);
  EXPECT_LAYOUT(DevInfo, ublksrv_ctrl_dev_info, dev_id, dev_id);
  EXPECT_LAYOUT(DevInfo, ublksrv_ctrl_dev_info, ublksrv_pid, ublksrv_pid);
  EXPECT_LAYOUT(DevInfo, ublksrv_ctrl_dev_info, flags, flags);
  EXPECT_LAYOUT(DevInfo, ublksrv_ctrl_dev_info, ublksrv_flags, ublksrv_flags);
}

TEST(AbiSystemHeader, IoDescAndCmd) {
  EXPECT_EQ(sizeof(IoDesc), sizeof(ublksrv_io_desc));
  EXPECT_LAYOUT(IoDesc, ublksrv_io_desc, op_flags, op_flags);
  EXPECT_LAYOUT(IoDesc, ublksrv_io_desc, nr_sectors, nr_sectors);
  EXPECT_LAYOUT(IoDesc, ublksrv_io_desc, start_sector, start_sector);
  EXPECT_LAYOUT(IoDesc, ublksrv_io_desc, addr, addr);
  EXPECT_EQ(sizeof(IoCmd), sizeof(ublksrv_io_cmd));
  EXPECT_LAYOUT(IoCmd, ublksrv_io_cmd, q_id, q_id);
  EXPECT_LAYOUT(IoCmd, ublksrv_io_cmd, tag, tag);
  EXPECT_LAYOUT(IoCmd, ublksrv_io_cmd, result, result);
  EXPECT_LAYOUT(IoCmd, ublksrv_io_cmd, addr, addr);
}

TEST(AbiSystemHeader, ParamsPrefixKnownTo61) {
  // The 6.1 header stops after discard; every member it has must line up.
  EXPECT_EQ(offsetof(Params, basic), offsetof(ublk_params, basic));
  EXPECT_EQ(offsetof(Params, discard), offsetof(ublk_params, discard));
  EXPECT_EQ(sizeof(ParamBasic), sizeof(ublk_param_basic));
  EXPECT_EQ(sizeof(ParamDiscard), sizeof(ublk_param_discard));
  EXPECT_LAYOUT(ParamBasic, ublk_param_basic, attrs, attrs);
  EXPECT_LAYOUT(ParamBasic, ublk_param_basic, max_sectors, max_sectors);
  EXPECT_LAYOUT(ParamBasic, ublk_param_basic, chunk_sectors, chunk_sectors);
  EXPECT_LAYOUT(ParamBasic, ublk_param_basic, dev_sectors, dev_sectors);
  EXPECT_LAYOUT(ParamBasic, ublk_param_basic, virt_boundary_mask, virt_boundary_mask);
  EXPECT_LAYOUT(ParamDiscard, ublk_param_discard, max_discard_segments, max_discard_segments);
}

TEST(AbiSystemHeader, Constants) {
  EXPECT_EQ(kIoResOk, UBLK_IO_RES_OK);
  EXPECT_EQ(kIoResNeedGetData, UBLK_IO_RES_NEED_GET_DATA);
  EXPECT_EQ(kIoResAbort, UBLK_IO_RES_ABORT);
  EXPECT_EQ(kOpRead, UBLK_IO_OP_READ);
  EXPECT_EQ(kOpWrite, UBLK_IO_OP_WRITE);
  EXPECT_EQ(kOpFlush, UBLK_IO_OP_FLUSH);
  EXPECT_EQ(kOpDiscard, UBLK_IO_OP_DISCARD);
  EXPECT_EQ(kOpWriteZeroes, UBLK_IO_OP_WRITE_ZEROES);
  EXPECT_EQ(kIoFFua, static_cast<uint32_t>(UBLK_IO_F_FUA));
  EXPECT_EQ(kFSupportZeroCopy, static_cast<uint64_t>(UBLK_F_SUPPORT_ZERO_COPY));
  EXPECT_EQ(kFNeedGetData, static_cast<uint64_t>(UBLK_F_NEED_GET_DATA));
  EXPECT_EQ(kFUserRecovery, static_cast<uint64_t>(UBLK_F_USER_RECOVERY));
  EXPECT_EQ(kParamBasic, static_cast<uint32_t>(UBLK_PARAM_TYPE_BASIC));
  EXPECT_EQ(kParamDiscard, static_cast<uint32_t>(UBLK_PARAM_TYPE_DISCARD));
  EXPECT_EQ(kAttrVolatileCache, static_cast<uint32_t>(UBLK_ATTR_VOLATILE_CACHE));
  EXPECT_EQ(kCmdBufOffset, static_cast<uint64_t>(UBLKSRV_CMD_BUF_OFFSET));
  EXPECT_EQ(kIoBufOffset, static_cast<uint64_t>(UBLKSRV_IO_BUF_OFFSET));
  EXPECT_EQ(kMaxQueueDepth, static_cast<uint32_t>(UBLK_MAX_QUEUE_DEPTH));
}

}  // namespace
}  // namespace ublk::uapi
