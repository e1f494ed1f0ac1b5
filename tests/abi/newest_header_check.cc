// Checks the project's own ublk ABI (src/uapi/abi.h) against the newest real
// kernel header <linux/ublk_cmd.h>, taken at test time from Debian's
// linux-libc-dev (trixie-backports) by tests/abi/check-newest.sh. That header
// is never committed; the directory it was extracted to comes first on the
// include path, and the host's /usr/include supplies <linux/types.h>.
//
// Standalone on purpose (no gtest): one line per mismatch, then
//   ABI check: N checks, M mismatches
// Exit status 0 only if N > 0 and M == 0.
//
// Every struct size, every member's offset, size and signedness, and every
// constant that abi.h has a counterpart for is compared. Names the header
// defines that abi.h deliberately has no counterpart for are listed in
// kNotInAbiH below (check-newest.sh warns about any header name that is
// neither compared here nor listed there: a sign of a newer kernel ABI).

// <linux/ublk_cmd.h> uses _IOR/_IOWR and -ENODEV without including their
// definitions, so these come first.
#include <linux/ioctl.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <type_traits>
#include <utility>

#include <linux/ublk_cmd.h>

#include "uapi/abi.h"
#include "uapi/encoding.h"

namespace {

using namespace ublk::uapi;

int g_checks = 0;
int g_mismatches = 0;

template <typename T>
constexpr auto Value(T v) {
  if constexpr (std::is_enum_v<T>) {
    return static_cast<std::underlying_type_t<T>>(v);
  } else if constexpr (std::is_same_v<T, bool>) {
    return static_cast<int>(v);
  } else {
    return v;
  }
}

template <typename A, typename B>
void Check(const char* what, const char* ours_expr, const char* theirs_expr, A ours_raw,
           B theirs_raw) {
  ++g_checks;
  const auto ours = Value(ours_raw);
  const auto theirs = Value(theirs_raw);
  if (std::cmp_equal(ours, theirs)) return;
  ++g_mismatches;
  // Print both as signed and as hex so that e.g. -19 and 0xffffffed are clear.
  std::printf("MISMATCH %s: ours %s = %lld (0x%llx), header %s = %lld (0x%llx)\n", what, ours_expr,
              static_cast<long long>(ours), static_cast<unsigned long long>(ours), theirs_expr,
              static_cast<long long>(theirs), static_cast<unsigned long long>(theirs));
}

template <typename T>
constexpr bool kSigned = std::is_signed_v<std::remove_all_extents_t<T>>;

}  // namespace

// One constant: our value against the header's macro of the same meaning.
#define CHECK_CONST(ours, theirs) Check(#theirs, #ours, #theirs, (ours), (theirs))

// One struct's size.
#define CHECK_SIZE(Ours, Theirs) \
  Check("sizeof", "sizeof(" #Ours ")", "sizeof(" #Theirs ")", sizeof(Ours), sizeof(Theirs))

// One member: offset, size and signedness (3 checks).
#define CHECK_MEMBER(Ours, Theirs, ofield, tfield)                                                 \
  do {                                                                                             \
    Check("offsetof", #Ours "::" #ofield, #Theirs "::" #tfield, offsetof(Ours, ofield),            \
          offsetof(Theirs, tfield));                                                               \
    Check("sizeof member", #Ours "::" #ofield, #Theirs "::" #tfield, sizeof(Ours::ofield),         \
          sizeof(Theirs::tfield));                                                                 \
    Check("signedness", #Ours "::" #ofield, #Theirs "::" #tfield, kSigned<decltype(Ours::ofield)>, \
          kSigned<decltype(Theirs::tfield)>);                                                      \
  } while (0)

// Same member name on both sides.
#define CHECK_FIELD(Ours, Theirs, field) CHECK_MEMBER(Ours, Theirs, field, field)

// A legacy (plain-number) command against the number inside our encoded op.
#define CHECK_NR(ours_op, theirs_nr) CHECK_CONST(_IOC_NR(static_cast<uint32_t>(ours_op)), theirs_nr)

namespace {

// Names <linux/ublk_cmd.h> defines that abi.h has no counterpart for (the
// library does not use these interfaces yet). Listed, not compared.
// check-newest.sh greps this file: a header name found neither in a check
// above/below nor here is reported as new.
constexpr const char* kNotInAbiH[] = {
    "USER_BLK_DRV_CMD_INC_H",     // include guard
    "UBLK_U_CMD_REG_BUF",         // shared-memory zero copy (UBLK_F_SHMEM_ZC)
    "UBLK_U_CMD_UNREG_BUF",       //
    "UBLK_SHMEM_BUF_READ_ONLY",   // struct ublk_shmem_buf_reg flag
    "UBLK_SHMEM_ZC_OFF_MASK",     // UBLK_IO_F_SHMEM_ZC addr encoding
    "UBLK_SHMEM_ZC_IDX_OFF",      //
    "UBLK_SHMEM_ZC_IDX_MASK",     //
    "UBLK_AUTO_BUF_REG_F_MASK",   // struct ublk_auto_buf_reg flags mask
    "UBLK_INTEGRITY_FLAG_OFF",    // user-copy offset bit for integrity data
    "UBLKSRV_IO_INTEGRITY_FLAG",  //
    "UBLK_MIN_SEGMENT_SIZE",      // ublk_param_segment lower bound
    "UBLK_IO_BUF_OFF",            // always 0: buffer offset starts at bit 0
    "ublk_shmem_buf_reg",         // struct: UBLK_U_CMD_REG_BUF argument
};

// DevInfo's u16 at offset 6 is io_desc_size in newer headers and pad0 in
// older ones; compare whichever name each side has.
template <typename Theirs, typename Ours = DevInfo>
void CheckDevInfoIoDescSize() {
  constexpr bool kOursNamed = requires(Ours o) { o.io_desc_size; };
  constexpr bool kTheirsNamed = requires(Theirs t) { t.io_desc_size; };
  constexpr bool kTheirsPad = requires(Theirs t) { t.pad0; };
  if constexpr (kOursNamed && kTheirsNamed) {
    CHECK_FIELD(Ours, Theirs, io_desc_size);
  } else if constexpr (kOursNamed && kTheirsPad) {
    CHECK_MEMBER(Ours, Theirs, io_desc_size, pad0);
  } else if constexpr (kOursNamed) {
    // Header has neither name: at least pin our member to offset 6 and size 2,
    // and make sure the header still has room for it before max_io_buf_bytes.
    Check("offsetof", "DevInfo::io_desc_size", "6", offsetof(Ours, io_desc_size), 6);
    Check("sizeof member", "DevInfo::io_desc_size", "2", sizeof(Ours::io_desc_size), 2);
    Check("offsetof", "8", "ublksrv_ctrl_dev_info::max_io_buf_bytes", 8,
          offsetof(Theirs, max_io_buf_bytes));
  } else if constexpr (kTheirsNamed) {
    Check("member missing", "DevInfo::io_desc_size", "ublksrv_ctrl_dev_info::io_desc_size", 0, 1);
  }
}

void CheckStructs() {
  // ---- struct ublksrv_ctrl_cmd
  CHECK_SIZE(CtrlCmd, ublksrv_ctrl_cmd);
  CHECK_FIELD(CtrlCmd, ublksrv_ctrl_cmd, dev_id);
  CHECK_FIELD(CtrlCmd, ublksrv_ctrl_cmd, queue_id);
  CHECK_FIELD(CtrlCmd, ublksrv_ctrl_cmd, len);
  CHECK_FIELD(CtrlCmd, ublksrv_ctrl_cmd, addr);
  CHECK_FIELD(CtrlCmd, ublksrv_ctrl_cmd, data);
  CHECK_FIELD(CtrlCmd, ublksrv_ctrl_cmd, dev_path_len);
  CHECK_FIELD(CtrlCmd, ublksrv_ctrl_cmd, pad);
  CHECK_FIELD(CtrlCmd, ublksrv_ctrl_cmd, reserved);

  // ---- struct ublksrv_ctrl_dev_info
  CHECK_SIZE(DevInfo, ublksrv_ctrl_dev_info);
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, nr_hw_queues);
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, queue_depth);
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, state);
  CheckDevInfoIoDescSize<ublksrv_ctrl_dev_info>();
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, max_io_buf_bytes);
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, dev_id);
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, ublksrv_pid);
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, pad1);
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, flags);
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, ublksrv_flags);
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, owner_uid);
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, owner_gid);
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, reserved1);
  CHECK_FIELD(DevInfo, ublksrv_ctrl_dev_info, reserved2);

  // ---- struct ublk_params and its members
  CHECK_SIZE(Params, ublk_params);
  CHECK_FIELD(Params, ublk_params, len);
  CHECK_FIELD(Params, ublk_params, types);
  CHECK_FIELD(Params, ublk_params, basic);
  CHECK_FIELD(Params, ublk_params, discard);
  CHECK_FIELD(Params, ublk_params, devt);
  CHECK_FIELD(Params, ublk_params, zoned);
  CHECK_FIELD(Params, ublk_params, dma);
  CHECK_FIELD(Params, ublk_params, seg);
  CHECK_FIELD(Params, ublk_params, integrity);

  CHECK_SIZE(ParamBasic, ublk_param_basic);
  CHECK_FIELD(ParamBasic, ublk_param_basic, attrs);
  CHECK_FIELD(ParamBasic, ublk_param_basic, logical_bs_shift);
  CHECK_FIELD(ParamBasic, ublk_param_basic, physical_bs_shift);
  CHECK_FIELD(ParamBasic, ublk_param_basic, io_opt_shift);
  CHECK_FIELD(ParamBasic, ublk_param_basic, io_min_shift);
  CHECK_FIELD(ParamBasic, ublk_param_basic, max_sectors);
  CHECK_FIELD(ParamBasic, ublk_param_basic, chunk_sectors);
  CHECK_FIELD(ParamBasic, ublk_param_basic, dev_sectors);
  CHECK_FIELD(ParamBasic, ublk_param_basic, virt_boundary_mask);

  CHECK_SIZE(ParamDiscard, ublk_param_discard);
  CHECK_FIELD(ParamDiscard, ublk_param_discard, discard_alignment);
  CHECK_FIELD(ParamDiscard, ublk_param_discard, discard_granularity);
  CHECK_FIELD(ParamDiscard, ublk_param_discard, max_discard_sectors);
  CHECK_FIELD(ParamDiscard, ublk_param_discard, max_write_zeroes_sectors);
  CHECK_FIELD(ParamDiscard, ublk_param_discard, max_discard_segments);
  CHECK_FIELD(ParamDiscard, ublk_param_discard, reserved0);

  CHECK_SIZE(ParamDevt, ublk_param_devt);
  CHECK_FIELD(ParamDevt, ublk_param_devt, char_major);
  CHECK_FIELD(ParamDevt, ublk_param_devt, char_minor);
  CHECK_FIELD(ParamDevt, ublk_param_devt, disk_major);
  CHECK_FIELD(ParamDevt, ublk_param_devt, disk_minor);

  CHECK_SIZE(ParamZoned, ublk_param_zoned);
  CHECK_FIELD(ParamZoned, ublk_param_zoned, max_open_zones);
  CHECK_FIELD(ParamZoned, ublk_param_zoned, max_active_zones);
  CHECK_FIELD(ParamZoned, ublk_param_zoned, max_zone_append_sectors);
  CHECK_FIELD(ParamZoned, ublk_param_zoned, reserved);

  CHECK_SIZE(ParamDmaAlign, ublk_param_dma_align);
  CHECK_FIELD(ParamDmaAlign, ublk_param_dma_align, alignment);
  CHECK_FIELD(ParamDmaAlign, ublk_param_dma_align, pad);

  CHECK_SIZE(ParamSegment, ublk_param_segment);
  CHECK_FIELD(ParamSegment, ublk_param_segment, seg_boundary_mask);
  CHECK_FIELD(ParamSegment, ublk_param_segment, max_segment_size);
  CHECK_FIELD(ParamSegment, ublk_param_segment, max_segments);
  CHECK_FIELD(ParamSegment, ublk_param_segment, pad);

  CHECK_SIZE(ParamIntegrity, ublk_param_integrity);
  CHECK_FIELD(ParamIntegrity, ublk_param_integrity, flags);
  CHECK_FIELD(ParamIntegrity, ublk_param_integrity, max_integrity_segments);
  CHECK_FIELD(ParamIntegrity, ublk_param_integrity, interval_exp);
  CHECK_FIELD(ParamIntegrity, ublk_param_integrity, metadata_size);
  CHECK_FIELD(ParamIntegrity, ublk_param_integrity, pi_offset);
  CHECK_FIELD(ParamIntegrity, ublk_param_integrity, csum_type);
  CHECK_FIELD(ParamIntegrity, ublk_param_integrity, tag_size);
  CHECK_FIELD(ParamIntegrity, ublk_param_integrity, pad);

  // ---- struct ublksrv_io_desc (nr_sectors shares a union with nr_zones)
  CHECK_SIZE(IoDesc, ublksrv_io_desc);
  CHECK_FIELD(IoDesc, ublksrv_io_desc, op_flags);
  CHECK_FIELD(IoDesc, ublksrv_io_desc, nr_sectors);
  CHECK_MEMBER(IoDesc, ublksrv_io_desc, nr_sectors, nr_zones);
  CHECK_FIELD(IoDesc, ublksrv_io_desc, start_sector);
  CHECK_FIELD(IoDesc, ublksrv_io_desc, addr);

  // ---- struct ublksrv_io_cmd (addr shares a union with zone_append_lba)
  CHECK_SIZE(IoCmd, ublksrv_io_cmd);
  CHECK_FIELD(IoCmd, ublksrv_io_cmd, q_id);
  CHECK_FIELD(IoCmd, ublksrv_io_cmd, tag);
  CHECK_FIELD(IoCmd, ublksrv_io_cmd, result);
  CHECK_FIELD(IoCmd, ublksrv_io_cmd, addr);
  CHECK_MEMBER(IoCmd, ublksrv_io_cmd, addr, zone_append_lba);
}

void CheckCommands() {
  // ioctl encoding helpers
  CHECK_CONST(kIocWrite, _IOC_WRITE);
  CHECK_CONST(kIocRead, _IOC_READ);
  CHECK_CONST(IocEncode(kIocRead | kIocWrite, kIocType, 0x7f, 0x1234),
              _IOC(_IOC_READ | _IOC_WRITE, 'u', 0x7f, 0x1234));

  // control commands (ioctl-encoded)
  CHECK_CONST(CtrlOp::kGetQueueAffinity, UBLK_U_CMD_GET_QUEUE_AFFINITY);
  CHECK_CONST(CtrlOp::kGetDevInfo, UBLK_U_CMD_GET_DEV_INFO);
  CHECK_CONST(CtrlOp::kAddDev, UBLK_U_CMD_ADD_DEV);
  CHECK_CONST(CtrlOp::kDelDev, UBLK_U_CMD_DEL_DEV);
  CHECK_CONST(CtrlOp::kStartDev, UBLK_U_CMD_START_DEV);
  CHECK_CONST(CtrlOp::kStopDev, UBLK_U_CMD_STOP_DEV);
  CHECK_CONST(CtrlOp::kSetParams, UBLK_U_CMD_SET_PARAMS);
  CHECK_CONST(CtrlOp::kGetParams, UBLK_U_CMD_GET_PARAMS);
  CHECK_CONST(CtrlOp::kStartUserRecovery, UBLK_U_CMD_START_USER_RECOVERY);
  CHECK_CONST(CtrlOp::kEndUserRecovery, UBLK_U_CMD_END_USER_RECOVERY);
  CHECK_CONST(CtrlOp::kGetDevInfo2, UBLK_U_CMD_GET_DEV_INFO2);
  CHECK_CONST(CtrlOp::kGetFeatures, UBLK_U_CMD_GET_FEATURES);
  CHECK_CONST(CtrlOp::kDelDevAsync, UBLK_U_CMD_DEL_DEV_ASYNC);
  CHECK_CONST(CtrlOp::kUpdateSize, UBLK_U_CMD_UPDATE_SIZE);
  CHECK_CONST(CtrlOp::kQuiesceDev, UBLK_U_CMD_QUIESCE_DEV);
  CHECK_CONST(CtrlOp::kTryStopDev, UBLK_U_CMD_TRY_STOP_DEV);

  // legacy plain command numbers = the nr field of our encoded ops
  CHECK_NR(CtrlOp::kGetQueueAffinity, UBLK_CMD_GET_QUEUE_AFFINITY);
  CHECK_NR(CtrlOp::kGetDevInfo, UBLK_CMD_GET_DEV_INFO);
  CHECK_NR(CtrlOp::kAddDev, UBLK_CMD_ADD_DEV);
  CHECK_NR(CtrlOp::kDelDev, UBLK_CMD_DEL_DEV);
  CHECK_NR(CtrlOp::kStartDev, UBLK_CMD_START_DEV);
  CHECK_NR(CtrlOp::kStopDev, UBLK_CMD_STOP_DEV);
  CHECK_NR(CtrlOp::kSetParams, UBLK_CMD_SET_PARAMS);
  CHECK_NR(CtrlOp::kGetParams, UBLK_CMD_GET_PARAMS);
  CHECK_NR(CtrlOp::kStartUserRecovery, UBLK_CMD_START_USER_RECOVERY);
  CHECK_NR(CtrlOp::kEndUserRecovery, UBLK_CMD_END_USER_RECOVERY);
  CHECK_NR(CtrlOp::kGetDevInfo2, UBLK_CMD_GET_DEV_INFO2);

  // I/O commands (ioctl-encoded) and their legacy numbers
  CHECK_CONST(IoCmdOp::kFetchReq, UBLK_U_IO_FETCH_REQ);
  CHECK_CONST(IoCmdOp::kCommitAndFetchReq, UBLK_U_IO_COMMIT_AND_FETCH_REQ);
  CHECK_CONST(IoCmdOp::kNeedGetData, UBLK_U_IO_NEED_GET_DATA);
  CHECK_CONST(IoCmdOp::kRegisterIoBuf, UBLK_U_IO_REGISTER_IO_BUF);
  CHECK_CONST(IoCmdOp::kUnregisterIoBuf, UBLK_U_IO_UNREGISTER_IO_BUF);
  CHECK_NR(IoCmdOp::kFetchReq, UBLK_IO_FETCH_REQ);
  CHECK_NR(IoCmdOp::kCommitAndFetchReq, UBLK_IO_COMMIT_AND_FETCH_REQ);
  CHECK_NR(IoCmdOp::kNeedGetData, UBLK_IO_NEED_GET_DATA);
  CHECK_CONST(IoCmdOp::kPrepIoCmds, UBLK_U_IO_PREP_IO_CMDS);
  CHECK_CONST(IoCmdOp::kCommitIoCmds, UBLK_U_IO_COMMIT_IO_CMDS);
  CHECK_CONST(IoCmdOp::kFetchIoCmds, UBLK_U_IO_FETCH_IO_CMDS);

  // BATCH_IO payloads
  CHECK_SIZE(BatchIo, ublk_batch_io);
  CHECK_FIELD(BatchIo, ublk_batch_io, q_id);
  CHECK_FIELD(BatchIo, ublk_batch_io, flags);
  CHECK_FIELD(BatchIo, ublk_batch_io, nr_elem);
  CHECK_FIELD(BatchIo, ublk_batch_io, elem_bytes);
  CHECK_FIELD(BatchIo, ublk_batch_io, reserved);
  CHECK_FIELD(BatchIo, ublk_batch_io, reserved2);
  CHECK_SIZE(BatchElemHeader, ublk_elem_header);
  CHECK_FIELD(BatchElemHeader, ublk_elem_header, tag);
  CHECK_FIELD(BatchElemHeader, ublk_elem_header, buf_index);
  CHECK_FIELD(BatchElemHeader, ublk_elem_header, result);
  CHECK_CONST(kBatchFHasZoneLba, UBLK_BATCH_F_HAS_ZONE_LBA);
  CHECK_CONST(kBatchFHasBufAddr, UBLK_BATCH_F_HAS_BUF_ADDR);
  CHECK_CONST(kBatchFAutoBufRegFallback, UBLK_BATCH_F_AUTO_BUF_REG_FALLBACK);

  // CQE results
  CHECK_CONST(kIoResOk, UBLK_IO_RES_OK);
  CHECK_CONST(kIoResNeedGetData, UBLK_IO_RES_NEED_GET_DATA);
  CHECK_CONST(kIoResAbort, UBLK_IO_RES_ABORT);
}

void CheckFeatures() {
  CHECK_CONST(kFSupportZeroCopy, UBLK_F_SUPPORT_ZERO_COPY);
  CHECK_CONST(kFUringCmdCompInTask, UBLK_F_URING_CMD_COMP_IN_TASK);
  CHECK_CONST(kFNeedGetData, UBLK_F_NEED_GET_DATA);
  CHECK_CONST(kFUserRecovery, UBLK_F_USER_RECOVERY);
  CHECK_CONST(kFUserRecoveryReissue, UBLK_F_USER_RECOVERY_REISSUE);
  CHECK_CONST(kFUnprivilegedDev, UBLK_F_UNPRIVILEGED_DEV);
  CHECK_CONST(kFCmdIoctlEncode, UBLK_F_CMD_IOCTL_ENCODE);
  CHECK_CONST(kFUserCopy, UBLK_F_USER_COPY);
  CHECK_CONST(kFZoned, UBLK_F_ZONED);
  CHECK_CONST(kFUserRecoveryFailIo, UBLK_F_USER_RECOVERY_FAIL_IO);
  CHECK_CONST(kFUpdateSize, UBLK_F_UPDATE_SIZE);
  CHECK_CONST(kFAutoBufReg, UBLK_F_AUTO_BUF_REG);
  CHECK_CONST(kFQuiesce, UBLK_F_QUIESCE);
  CHECK_CONST(kFPerIoDaemon, UBLK_F_PER_IO_DAEMON);
  CHECK_CONST(kFBufRegOffDaemon, UBLK_F_BUF_REG_OFF_DAEMON);
  CHECK_CONST(kFBatchIo, UBLK_F_BATCH_IO);
  CHECK_CONST(kFIntegrity, UBLK_F_INTEGRITY);
  CHECK_CONST(kFSafeStopDev, UBLK_F_SAFE_STOP_DEV);
  CHECK_CONST(kFNoAutoPartScan, UBLK_F_NO_AUTO_PART_SCAN);
  CHECK_CONST(kFShmemZc, UBLK_F_SHMEM_ZC);
  CHECK_CONST(kFIoDescSize, UBLK_F_IO_DESC_SIZE);
  // kNumKnownFeatureBits covers exactly the header's flags: all of them OR'ed
  // together are the low kNumKnownFeatureBits bits.
  CHECK_CONST(
      (kNumKnownFeatureBits >= 64 ? ~0ull : (1ull << kNumKnownFeatureBits) - 1),
      (UBLK_F_SUPPORT_ZERO_COPY | UBLK_F_URING_CMD_COMP_IN_TASK | UBLK_F_NEED_GET_DATA |
       UBLK_F_USER_RECOVERY | UBLK_F_USER_RECOVERY_REISSUE | UBLK_F_UNPRIVILEGED_DEV |
       UBLK_F_CMD_IOCTL_ENCODE | UBLK_F_USER_COPY | UBLK_F_ZONED | UBLK_F_USER_RECOVERY_FAIL_IO |
       UBLK_F_UPDATE_SIZE | UBLK_F_AUTO_BUF_REG | UBLK_F_QUIESCE | UBLK_F_PER_IO_DAEMON |
       UBLK_F_BUF_REG_OFF_DAEMON | UBLK_F_BATCH_IO | UBLK_F_INTEGRITY | UBLK_F_SAFE_STOP_DEV |
       UBLK_F_NO_AUTO_PART_SCAN | UBLK_F_SHMEM_ZC | UBLK_F_IO_DESC_SIZE));
  CHECK_CONST(kFeaturesLen, UBLK_FEATURES_LEN);

  // device states
  CHECK_CONST(DevState::kDead, UBLK_S_DEV_DEAD);
  CHECK_CONST(DevState::kLive, UBLK_S_DEV_LIVE);
  CHECK_CONST(DevState::kQuiesced, UBLK_S_DEV_QUIESCED);
  CHECK_CONST(DevState::kFailIo, UBLK_S_DEV_FAIL_IO);
}

void CheckParamsAndIoConstants() {
  CHECK_CONST(kParamBasic, UBLK_PARAM_TYPE_BASIC);
  CHECK_CONST(kParamDiscard, UBLK_PARAM_TYPE_DISCARD);
  CHECK_CONST(kParamDevt, UBLK_PARAM_TYPE_DEVT);
  CHECK_CONST(kParamZoned, UBLK_PARAM_TYPE_ZONED);
  CHECK_CONST(kParamDmaAlign, UBLK_PARAM_TYPE_DMA_ALIGN);
  CHECK_CONST(kParamSegment, UBLK_PARAM_TYPE_SEGMENT);
  CHECK_CONST(kParamIntegrity, UBLK_PARAM_TYPE_INTEGRITY);

  CHECK_CONST(kAttrReadOnly, UBLK_ATTR_READ_ONLY);
  CHECK_CONST(kAttrRotational, UBLK_ATTR_ROTATIONAL);
  CHECK_CONST(kAttrVolatileCache, UBLK_ATTR_VOLATILE_CACHE);
  CHECK_CONST(kAttrFua, UBLK_ATTR_FUA);

  CHECK_CONST(kOpRead, UBLK_IO_OP_READ);
  CHECK_CONST(kOpWrite, UBLK_IO_OP_WRITE);
  CHECK_CONST(kOpFlush, UBLK_IO_OP_FLUSH);
  CHECK_CONST(kOpDiscard, UBLK_IO_OP_DISCARD);
  CHECK_CONST(kOpWriteSame, UBLK_IO_OP_WRITE_SAME);
  CHECK_CONST(kOpWriteZeroes, UBLK_IO_OP_WRITE_ZEROES);
  CHECK_CONST(kOpZoneOpen, UBLK_IO_OP_ZONE_OPEN);
  CHECK_CONST(kOpZoneClose, UBLK_IO_OP_ZONE_CLOSE);
  CHECK_CONST(kOpZoneFinish, UBLK_IO_OP_ZONE_FINISH);
  CHECK_CONST(kOpZoneAppend, UBLK_IO_OP_ZONE_APPEND);
  CHECK_CONST(kOpZoneResetAll, UBLK_IO_OP_ZONE_RESET_ALL);
  CHECK_CONST(kOpZoneReset, UBLK_IO_OP_ZONE_RESET);
  CHECK_CONST(kOpReportZones, UBLK_IO_OP_REPORT_ZONES);

  CHECK_CONST(kIoFFailfastDev, UBLK_IO_F_FAILFAST_DEV);
  CHECK_CONST(kIoFFailfastTransport, UBLK_IO_F_FAILFAST_TRANSPORT);
  CHECK_CONST(kIoFFailfastDriver, UBLK_IO_F_FAILFAST_DRIVER);
  CHECK_CONST(kIoFMeta, UBLK_IO_F_META);
  CHECK_CONST(kIoFFua, UBLK_IO_F_FUA);
  CHECK_CONST(kIoFNoUnmap, UBLK_IO_F_NOUNMAP);
  CHECK_CONST(kIoFSwap, UBLK_IO_F_SWAP);
  CHECK_CONST(kIoFNeedRegBuf, UBLK_IO_F_NEED_REG_BUF);
  CHECK_CONST(kIoFIntegrity, UBLK_IO_F_INTEGRITY);
  CHECK_CONST(kIoFShmemZc, UBLK_IO_F_SHMEM_ZC);
  CHECK_CONST(kAutoBufRegFallback, UBLK_AUTO_BUF_REG_FALLBACK);
  CHECK_SIZE(AutoBufReg, ublk_auto_buf_reg);
  CHECK_FIELD(AutoBufReg, ublk_auto_buf_reg, index);
  CHECK_FIELD(AutoBufReg, ublk_auto_buf_reg, flags);
  CHECK_FIELD(AutoBufReg, ublk_auto_buf_reg, reserved0);
  CHECK_FIELD(AutoBufReg, ublk_auto_buf_reg, reserved1);
  {  // our sqe->addr encoding against the header's own helper
    const ublk_auto_buf_reg reg = {0x1234, UBLK_AUTO_BUF_REG_FALLBACK, 0, 0};
    CHECK_CONST(EncodeAutoBufReg(0x1234, kAutoBufRegFallback), ublk_auto_buf_reg_to_sqe_addr(&reg));
  }

  // mmap and user-copy offsets
  CHECK_CONST(kCmdBufOffset, UBLKSRV_CMD_BUF_OFFSET);
  CHECK_CONST(kIoBufOffset, UBLKSRV_IO_BUF_OFFSET);
  CHECK_CONST(kMaxQueueDepth, UBLK_MAX_QUEUE_DEPTH);
  CHECK_CONST(kMaxNrQueues, UBLK_MAX_NR_QUEUES);
  CHECK_CONST(kIoBufBits, UBLK_IO_BUF_BITS);
  CHECK_CONST((1ull << kIoBufBits) - 1, UBLK_IO_BUF_BITS_MASK);
  CHECK_CONST(kTagOff, UBLK_TAG_OFF);
  CHECK_CONST(kTagBits, UBLK_TAG_BITS);
  CHECK_CONST((1ull << kTagBits) - 1, UBLK_TAG_BITS_MASK);
  CHECK_CONST(kQidOff, UBLK_QID_OFF);
  CHECK_CONST(kQidBits, UBLK_QID_BITS);
  CHECK_CONST((1ull << kQidBits) - 1, UBLK_QID_BITS_MASK);
  CHECK_CONST(kQidOff + kQidBits, UBLKSRV_IO_BUF_TOTAL_BITS);
  CHECK_CONST(kIoBufTotalSize, UBLKSRV_IO_BUF_TOTAL_SIZE);
}

}  // namespace

int main() {
  CheckStructs();
  CheckCommands();
  CheckFeatures();
  CheckParamsAndIoConstants();

  std::printf("not compared (no counterpart in abi.h):");
  for (const char* name : kNotInAbiH) std::printf(" %s", name);
  std::printf("\n");

  std::printf("ABI check: %d checks, %d mismatches\n", g_checks, g_mismatches);
  if (g_checks == 0) {
    std::printf("ABI check: FAILED (no checks ran)\n");
    return 1;
  }
  return g_mismatches == 0 ? 0 : 1;
}
