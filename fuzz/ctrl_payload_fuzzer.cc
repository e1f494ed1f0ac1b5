// Control-plane payloads: DevInfo and CtrlCmd.
//
// Input: selector u8, then
//   0: a DeviceSpec (see SpecFromInput) -> ValidateSpec -> BuildDevInfo, whose
//      bytes must round-trip exactly and describe the spec;
//   1: 64 bytes taken as a DevInfo "returned by a misbehaving kernel" ->
//      ValidateKernelDevInfo must refuse exactly the impossible ones;
//   2: a CtrlCmd built field by field from the input; its bytes must be the
//      fields in ABI order and round-trip exactly.
//   3: all three, each reading its own part of the input.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fuzz_common.h"
#include "uapi/abi.h"
#include "uapi/spec.h"
#include "util/status.h"

namespace {

using namespace ublk::uapi;
using ublk::fuzz::Reader;

bool SameDevInfo(const DevInfo& a, const DevInfo& b) {
  return a.nr_hw_queues == b.nr_hw_queues && a.queue_depth == b.queue_depth && a.state == b.state &&
         a.io_desc_size == b.io_desc_size && a.max_io_buf_bytes == b.max_io_buf_bytes &&
         a.dev_id == b.dev_id && a.ublksrv_pid == b.ublksrv_pid && a.pad1 == b.pad1 &&
         a.flags == b.flags && a.ublksrv_flags == b.ublksrv_flags && a.owner_uid == b.owner_uid &&
         a.owner_gid == b.owner_gid && a.reserved1 == b.reserved1 && a.reserved2 == b.reserved2;
}

void SpecRoundTrip(Reader& r) {
  const DeviceSpec spec = ublk::fuzz::SpecFromInput(r);
  const absl::Status st = ValidateSpec(spec);
  if (!st.ok()) {
    FUZZ_CHECK(ublk::ToErrno(st) == EINVAL);
    FUZZ_CHECK(!st.message().empty());
    return;
  }
  const DevInfo info = BuildDevInfo(spec);
  FUZZ_CHECK(info.nr_hw_queues == spec.nr_queues);
  FUZZ_CHECK(info.queue_depth == spec.queue_depth);
  FUZZ_CHECK(info.max_io_buf_bytes == spec.max_io_bytes);
  FUZZ_CHECK(info.dev_id == spec.dev_id);
  FUZZ_CHECK((info.flags & spec.kernel_flags) == spec.kernel_flags);
  FUZZ_CHECK(info.flags & kFCmdIoctlEncode);

  uint8_t bytes[sizeof(DevInfo)];
  std::memcpy(bytes, &info, sizeof(info));
  DevInfo back;
  std::memset(&back, 0xa5, sizeof(back));
  std::memcpy(&back, bytes, sizeof(back));
  FUZZ_CHECK(SameDevInfo(info, back));
  FUZZ_CHECK(std::memcmp(&info, &back, sizeof(info)) == 0);  // no padding holes

  // What we send is what a sane kernel would echo back -- except an
  // automatic id, which the kernel replaces with the one it picked.
  const absl::Status echoed = ValidateKernelDevInfo(info);
  FUZZ_CHECK(echoed.ok() == (spec.dev_id != kAutoDevId));
}

void KernelDevInfo(Reader& r) {
  uint8_t bytes[sizeof(DevInfo)];
  r.Bytes(bytes, sizeof(bytes));
  DevInfo info;
  std::memcpy(&info, bytes, sizeof(info));
  const bool sane = info.nr_hw_queues >= 1 && info.nr_hw_queues <= 4096 && info.queue_depth >= 1 &&
                    info.queue_depth <= 4096 && info.max_io_buf_bytes >= 4096 &&
                    info.max_io_buf_bytes <= (32u << 20) && info.dev_id < (1u << 20);
  const absl::Status st = ValidateKernelDevInfo(info);
  FUZZ_CHECK(st.ok() == sane);
  if (!st.ok()) {
    FUZZ_CHECK(ublk::ToErrno(st) == EPROTO);
    FUZZ_CHECK(!st.message().empty());
  }
}

template <typename T>
void Put(uint8_t* at, T v) {
  std::memcpy(at, &v, sizeof(v));
}

void CtrlCmdRoundTrip(Reader& r) {
  CtrlCmd cmd;
  cmd.dev_id = r.U32();
  cmd.queue_id = r.U16();
  cmd.len = r.U16();
  cmd.addr = r.U64();
  cmd.data[0] = r.U64();
  cmd.dev_path_len = r.U16();
  cmd.pad = r.U16();
  cmd.reserved = r.U32();

  // The wire image the kernel expects: fields at their ABI offsets.
  uint8_t expect[32];
  Put(expect + 0, cmd.dev_id);
  Put(expect + 4, cmd.queue_id);
  Put(expect + 6, cmd.len);
  Put(expect + 8, cmd.addr);
  Put(expect + 16, cmd.data[0]);
  Put(expect + 24, cmd.dev_path_len);
  Put(expect + 26, cmd.pad);
  Put(expect + 28, cmd.reserved);

  uint8_t bytes[sizeof(CtrlCmd)];
  std::memcpy(bytes, &cmd, sizeof(cmd));
  FUZZ_CHECK(std::memcmp(bytes, expect, sizeof(bytes)) == 0);
  CtrlCmd back;
  std::memset(&back, 0x5a, sizeof(back));
  std::memcpy(&back, bytes, sizeof(back));
  FUZZ_CHECK(back.dev_id == cmd.dev_id && back.queue_id == cmd.queue_id && back.len == cmd.len &&
             back.addr == cmd.addr && back.data[0] == cmd.data[0] &&
             back.dev_path_len == cmd.dev_path_len && back.pad == cmd.pad &&
             back.reserved == cmd.reserved);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r(data, size);
  switch (r.U8() % 4) {
    case 0: SpecRoundTrip(r); break;
    case 1: KernelDevInfo(r); break;
    case 2: CtrlCmdRoundTrip(r); break;
    default:
      SpecRoundTrip(r);
      KernelDevInfo(r);
      CtrlCmdRoundTrip(r);
      break;
  }
  return 0;
}
