// The project's own definitions of the Linux ublk driver's userspace ABI.
//
// Written from the documented facts (docs/kernel-abi.md lists the sources);
// every size, offset and constant here is checked against the real
// <linux/ublk_cmd.h> by tests/unit/abi_header_test.cc (the system's header)
// and tests/abi/ (the newest header from Debian's linux-libc-dev).
// Pure data: no syscalls, no includes beyond <cstdint>.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ublk::uapi {

// ---- ioctl-style command encoding (asm-generic/ioctl.h layout) -------------
inline constexpr uint32_t kIocWrite = 1;
inline constexpr uint32_t kIocRead = 2;
constexpr uint32_t IocEncode(uint32_t dir, uint32_t type, uint32_t nr, uint32_t size) {
  return (dir << 30) | (size << 16) | (type << 8) | nr;
}
inline constexpr uint32_t kIocType = 'u';

// ---- control plane ---------------------------------------------------------
// Payload of every /dev/ublk-control command, placed in an SQE128's cmd area.
struct CtrlCmd {
  uint32_t dev_id;        // target device; kAutoDevId on ADD_DEV = pick one
  uint16_t queue_id;      // kNoQueue unless the command is for one queue
  uint16_t len;           // length of the buffer at addr
  uint64_t addr;          // user buffer (in or out)
  uint64_t data[1];       // inline argument (pid, size, queue id, ...)
  uint16_t dev_path_len;  // unprivileged devices / GET_DEV_INFO2
  uint16_t pad;
  uint32_t reserved;
};
static_assert(sizeof(CtrlCmd) == 32);

inline constexpr uint32_t kAutoDevId = 0xffffffffu;
inline constexpr uint16_t kNoQueue = 0xffff;

constexpr uint32_t CtrlRead(uint32_t nr) {
  return IocEncode(kIocRead, kIocType, nr, sizeof(CtrlCmd));
}
constexpr uint32_t CtrlReadWrite(uint32_t nr) {
  return IocEncode(kIocRead | kIocWrite, kIocType, nr, sizeof(CtrlCmd));
}

enum class CtrlOp : uint32_t {
  kGetQueueAffinity = CtrlRead(0x01),
  kGetDevInfo = CtrlRead(0x02),
  kAddDev = CtrlReadWrite(0x04),
  kDelDev = CtrlReadWrite(0x05),
  kStartDev = CtrlReadWrite(0x06),
  kStopDev = CtrlReadWrite(0x07),
  kSetParams = CtrlReadWrite(0x08),
  kGetParams = CtrlRead(0x09),
  kStartUserRecovery = CtrlReadWrite(0x10),
  kEndUserRecovery = CtrlReadWrite(0x11),
  kGetDevInfo2 = CtrlRead(0x12),
  kGetFeatures = CtrlRead(0x13),
  kDelDevAsync = CtrlRead(0x14),
  kUpdateSize = CtrlReadWrite(0x15),
  kQuiesceDev = CtrlReadWrite(0x16),
  kTryStopDev = CtrlReadWrite(0x17),
};

// Device description exchanged by ADD_DEV / GET_DEV_INFO.
struct DevInfo {
  uint16_t nr_hw_queues;
  uint16_t queue_depth;
  uint16_t state;         // DevState
  uint16_t io_desc_size;  // only meaningful with kFIoDescSize
  uint32_t max_io_buf_bytes;
  uint32_t dev_id;
  int32_t ublksrv_pid;
  uint32_t pad1;
  uint64_t flags;          // kF* feature flags
  uint64_t ublksrv_flags;  // opaque to the kernel
  uint32_t owner_uid;
  uint32_t owner_gid;
  uint64_t reserved1;
  uint64_t reserved2;
};
static_assert(sizeof(DevInfo) == 64);

enum class DevState : uint16_t { kDead = 0, kLive = 1, kQuiesced = 2, kFailIo = 3 };

// Feature flags (DevInfo::flags and the GET_FEATURES mask), by bit number.
inline constexpr uint64_t kFSupportZeroCopy = 1ull << 0;
inline constexpr uint64_t kFUringCmdCompInTask = 1ull << 1;
inline constexpr uint64_t kFNeedGetData = 1ull << 2;
inline constexpr uint64_t kFUserRecovery = 1ull << 3;
inline constexpr uint64_t kFUserRecoveryReissue = 1ull << 4;
inline constexpr uint64_t kFUnprivilegedDev = 1ull << 5;
inline constexpr uint64_t kFCmdIoctlEncode = 1ull << 6;
inline constexpr uint64_t kFUserCopy = 1ull << 7;
inline constexpr uint64_t kFZoned = 1ull << 8;
inline constexpr uint64_t kFUserRecoveryFailIo = 1ull << 9;
inline constexpr uint64_t kFUpdateSize = 1ull << 10;
inline constexpr uint64_t kFAutoBufReg = 1ull << 11;
inline constexpr uint64_t kFQuiesce = 1ull << 12;
inline constexpr uint64_t kFPerIoDaemon = 1ull << 13;
inline constexpr uint64_t kFBufRegOffDaemon = 1ull << 14;
inline constexpr uint64_t kFBatchIo = 1ull << 15;
inline constexpr uint64_t kFIntegrity = 1ull << 16;
inline constexpr uint64_t kFSafeStopDev = 1ull << 17;
inline constexpr uint64_t kFNoAutoPartScan = 1ull << 18;
inline constexpr uint64_t kFShmemZc = 1ull << 19;
inline constexpr uint64_t kFIoDescSize = 1ull << 20;
inline constexpr int kNumKnownFeatureBits = 21;

// GET_FEATURES requires exactly this buffer length.
inline constexpr uint16_t kFeaturesLen = 8;

// ---- parameters (SET_PARAMS / GET_PARAMS) ----------------------------------
inline constexpr uint32_t kParamBasic = 1u << 0;
inline constexpr uint32_t kParamDiscard = 1u << 1;
inline constexpr uint32_t kParamDevt = 1u << 2;
inline constexpr uint32_t kParamZoned = 1u << 3;
inline constexpr uint32_t kParamDmaAlign = 1u << 4;
inline constexpr uint32_t kParamSegment = 1u << 5;
inline constexpr uint32_t kParamIntegrity = 1u << 6;

inline constexpr uint32_t kAttrReadOnly = 1u << 0;
inline constexpr uint32_t kAttrRotational = 1u << 1;
inline constexpr uint32_t kAttrVolatileCache = 1u << 2;
inline constexpr uint32_t kAttrFua = 1u << 3;

struct ParamBasic {
  uint32_t attrs;
  uint8_t logical_bs_shift;
  uint8_t physical_bs_shift;
  uint8_t io_opt_shift;
  uint8_t io_min_shift;
  uint32_t max_sectors;
  uint32_t chunk_sectors;
  uint64_t dev_sectors;
  uint64_t virt_boundary_mask;
};
static_assert(sizeof(ParamBasic) == 32);

struct ParamDiscard {
  uint32_t discard_alignment;
  uint32_t discard_granularity;
  uint32_t max_discard_sectors;
  uint32_t max_write_zeroes_sectors;
  uint16_t max_discard_segments;
  uint16_t reserved0;
};
static_assert(sizeof(ParamDiscard) == 20);

struct ParamDevt {  // read-only: filled in by the kernel
  uint32_t char_major;
  uint32_t char_minor;
  uint32_t disk_major;
  uint32_t disk_minor;
};
static_assert(sizeof(ParamDevt) == 16);

struct ParamZoned {
  uint32_t max_open_zones;
  uint32_t max_active_zones;
  uint32_t max_zone_append_sectors;
  uint8_t reserved[20];
};
static_assert(sizeof(ParamZoned) == 32);

struct ParamDmaAlign {
  uint32_t alignment;
  uint8_t pad[4];
};
static_assert(sizeof(ParamDmaAlign) == 8);

struct ParamSegment {
  uint64_t seg_boundary_mask;
  uint32_t max_segment_size;
  uint16_t max_segments;
  uint8_t pad[2];
};
static_assert(sizeof(ParamSegment) == 16);

struct ParamIntegrity {
  uint32_t flags;
  uint16_t max_integrity_segments;
  uint8_t interval_exp;
  uint8_t metadata_size;
  uint8_t pi_offset;
  uint8_t csum_type;
  uint8_t tag_size;
  uint8_t pad[5];
};
static_assert(sizeof(ParamIntegrity) == 16);

struct Params {
  uint32_t len;    // bytes of this struct the kernel should look at
  uint32_t types;  // kParam* mask
  ParamBasic basic;
  ParamDiscard discard;
  ParamDevt devt;
  ParamZoned zoned;
  ParamDmaAlign dma;
  ParamSegment seg;
  ParamIntegrity integrity;
};
static_assert(sizeof(Params) == 152);
static_assert(offsetof(Params, basic) == 8);
static_assert(offsetof(Params, discard) == 40);
static_assert(offsetof(Params, devt) == 60);
static_assert(offsetof(Params, zoned) == 76);
static_assert(offsetof(Params, dma) == 108);
static_assert(offsetof(Params, seg) == 120);
static_assert(offsetof(Params, integrity) == 136);

// ---- data plane ------------------------------------------------------------
// One per tag, in the read-only array mmap'd from /dev/ublkcN.
struct IoDesc {
  uint32_t op_flags;    // op in bits 0-7, flags in bits 8-31
  uint32_t nr_sectors;  // or nr_zones for REPORT_ZONES
  uint64_t start_sector;
  uint64_t addr;
};
static_assert(sizeof(IoDesc) == 24);

// Payload of an I/O command on /dev/ublkcN (fits a 64-byte SQE).
struct IoCmd {
  uint16_t q_id;
  uint16_t tag;
  int32_t result;
  uint64_t addr;  // buffer address, or zone-append LBA
};
static_assert(sizeof(IoCmd) == 16);

constexpr uint32_t IoReadWrite(uint32_t nr) {
  return IocEncode(kIocRead | kIocWrite, kIocType, nr, sizeof(IoCmd));
}
enum class IoCmdOp : uint32_t {
  kFetchReq = IoReadWrite(0x20),
  kCommitAndFetchReq = IoReadWrite(0x21),
  kNeedGetData = IoReadWrite(0x22),
  kRegisterIoBuf = IoReadWrite(0x23),
  kUnregisterIoBuf = IoReadWrite(0x24),
  // BATCH_IO only (uapi/batch.h); their payload, BatchIo, is also 16 bytes.
  kPrepIoCmds = IoReadWrite(0x25),
  kCommitIoCmds = IoReadWrite(0x26),
  kFetchIoCmds = IoReadWrite(0x27),
};

// CQE results of FETCH / COMMIT_AND_FETCH.
inline constexpr int32_t kIoResOk = 0;
inline constexpr int32_t kIoResNeedGetData = 1;
inline constexpr int32_t kIoResAbort = -19;  // -ENODEV

// Request operations (IoDesc::op_flags & 0xff).
inline constexpr uint8_t kOpRead = 0;
inline constexpr uint8_t kOpWrite = 1;
inline constexpr uint8_t kOpFlush = 2;
inline constexpr uint8_t kOpDiscard = 3;
inline constexpr uint8_t kOpWriteSame = 4;
inline constexpr uint8_t kOpWriteZeroes = 5;
inline constexpr uint8_t kOpZoneOpen = 10;
inline constexpr uint8_t kOpZoneClose = 11;
inline constexpr uint8_t kOpZoneFinish = 12;
inline constexpr uint8_t kOpZoneAppend = 13;
inline constexpr uint8_t kOpZoneResetAll = 14;
inline constexpr uint8_t kOpZoneReset = 15;
inline constexpr uint8_t kOpReportZones = 18;

// Request flags (IoDesc::op_flags bits 8-31).
inline constexpr uint32_t kIoFFailfastDev = 1u << 8;
inline constexpr uint32_t kIoFFailfastTransport = 1u << 9;
inline constexpr uint32_t kIoFFailfastDriver = 1u << 10;
inline constexpr uint32_t kIoFMeta = 1u << 11;
inline constexpr uint32_t kIoFFua = 1u << 13;
inline constexpr uint32_t kIoFNoUnmap = 1u << 15;
inline constexpr uint32_t kIoFSwap = 1u << 16;
inline constexpr uint32_t kIoFNeedRegBuf = 1u << 17;
inline constexpr uint32_t kIoFIntegrity = 1u << 18;
inline constexpr uint32_t kIoFShmemZc = 1u << 19;

// AUTO_BUF_REG: what FETCH / COMMIT_AND_FETCH carry in sqe->addr (see
// EncodeAutoBufReg) for registering the next request's pages.
struct AutoBufReg {
  uint16_t index;  // slot in the ring's sparse buffer table
  uint8_t flags;   // kAutoBufRegFallback
  uint8_t reserved0;
  uint32_t reserved1;
};
static_assert(sizeof(AutoBufReg) == 8);
// On a failed registration, deliver the request with kIoFNeedRegBuf set
// (the server then registers by hand) instead of failing it silently.
inline constexpr uint8_t kAutoBufRegFallback = 1u << 0;

// ---- BATCH_IO (kernel 7.0+; see uapi/batch.h) --------------------------------
// In the SQE's command area of the three batch commands.
struct BatchIo {
  uint16_t q_id;
  uint16_t flags;  // kBatchF*
  uint16_t nr_elem;
  uint8_t elem_bytes;  // BatchElemBytes(flags); 2 for FETCH_IO_CMDS
  uint8_t reserved;
  uint64_t reserved2;
};
static_assert(sizeof(BatchIo) == 16);

// Start of every element of a PREP/COMMIT array; optional u64 fields follow.
struct BatchElemHeader {
  uint16_t tag;
  uint16_t buf_index;  // AUTO_BUF_REG: sparse-table slot
  int32_t result;      // COMMIT: bytes done or -errno
};
static_assert(sizeof(BatchElemHeader) == 8);

inline constexpr uint16_t kBatchFHasZoneLba = 1u << 0;
inline constexpr uint16_t kBatchFHasBufAddr = 1u << 1;  // copy modes: a u64 buffer address
inline constexpr uint16_t kBatchFAutoBufRegFallback = 1u << 2;
inline constexpr uint16_t kBatchFAll =
    kBatchFHasZoneLba | kBatchFHasBufAddr | kBatchFAutoBufRegFallback;

// sqe->uring_cmd_flags: a multishot uring_cmd (FETCH_IO_CMDS needs it).
inline constexpr uint32_t kUringCmdMultishot = 1u << 1;
// The kernel posts at most this many tags per FETCH CQE (7.0-7.3): a
// fetch buffer larger than this many u16s is never filled.
inline constexpr uint32_t kMaxTagsPerFetchCqe = 128;

// ---- mmap and user-copy offsets --------------------------------------------
inline constexpr uint64_t kCmdBufOffset = 0;             // descriptor array of queue 0
inline constexpr uint64_t kIoBufOffset = 0x80000000ull;  // user-copy base
inline constexpr uint32_t kMaxQueueDepth = 4096;
inline constexpr uint32_t kMaxNrQueues = 4096;
inline constexpr uint32_t kIoBufBits = 25;  // max 32 MiB per request
inline constexpr uint32_t kTagOff = 25;
inline constexpr uint32_t kTagBits = 16;
inline constexpr uint32_t kQidOff = 41;
inline constexpr uint32_t kQidBits = 12;
inline constexpr uint64_t kIoBufTotalSize = 1ull << 53;
inline constexpr uint32_t kMaxDevices = 1u << 20;  // MINORBITS

// Sector size the descriptor and parameters count in.
inline constexpr uint32_t kSectorShift = 9;

}  // namespace ublk::uapi
