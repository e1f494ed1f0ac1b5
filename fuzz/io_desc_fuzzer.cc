// uapi::DecodeRequest on arbitrary descriptors and device geometries.
//
// Input: mode u8 | dev_sectors u64 | buffer_bytes u32 | ops_mask u32 |
//        lbs u8 | IoDesc (24 bytes); missing bytes read as zero.
//
// Checks: (1) an accepted request is one the kernel could send for this
// geometry; (2) a refusal is -EINVAL or -EOPNOTSUPP; (3) the verdict and errno
// equal an independent re-implementation of the rules in uapi/request.h;
// (4) decode reads nothing but the 24 descriptor bytes (the descriptor sits
// alone in an exact-size heap block, so ASan flags any over- or under-read).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "fuzz_common.h"
#include "uapi/abi.h"
#include "uapi/request.h"

namespace {

using namespace ublk::uapi;

bool IsDataOp(uint8_t op) {
  return op == kOpRead || op == kOpWrite || op == kOpDiscard || op == kOpWriteZeroes;
}

// The verdict uapi/request.h documents, computed with 128-bit arithmetic so
// no check here can overflow: 0, -EOPNOTSUPP or -EINVAL.
int Expected(const IoDesc& d, const RequestLimits& lim) {
  const uint8_t op = d.op_flags & 0xff;
  const bool served = op < 32 && (lim.ops_mask >> op) & 1;
  if (!served) return -EOPNOTSUPP;
  if (op == kOpFlush) return d.nr_sectors == 0 ? 0 : -EINVAL;
  if (!IsDataOp(op)) return -EOPNOTSUPP;
  const unsigned __int128 bytes = static_cast<unsigned __int128>(d.nr_sectors) * 512;
  const unsigned __int128 end = static_cast<unsigned __int128>(d.start_sector) + d.nr_sectors;
  const uint64_t lbs_sectors = uint64_t{1} << (lim.logical_bs_shift - 9);
  if (d.nr_sectors == 0) return -EINVAL;
  if ((op == kOpRead || op == kOpWrite) && bytes > lim.buffer_bytes) return -EINVAL;
  if (bytes > UINT32_MAX) return -EINVAL;  // Request::length is 32 bits
  if (end > lim.dev_sectors) return -EINVAL;
  if (d.start_sector % lbs_sectors || d.nr_sectors % lbs_sectors) return -EINVAL;
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ublk::fuzz::Reader r(data, size);
  const uint8_t mode = r.U8();
  RequestLimits lim;
  // Device size: what ValidateSpec lets through (size_bytes < 2^62, so
  // dev_sectors < 2^53), or a small device so ranges often fit.
  lim.dev_sectors = (mode & 1) ? r.U64() & ((uint64_t{1} << 53) - 1) : r.U64() & 0xffffff;
  // Buffer: what ValidateKernelDevInfo lets through, [4 KiB, 32 MiB].
  lim.buffer_bytes = kPageSize + r.U32() % (kMaxIoBytes - kPageSize + 1);
  lim.ops_mask = r.U32();
  if (mode & 2) lim.ops_mask |= OpBit(kOpRead) | OpBit(kOpWrite) | OpBit(kOpFlush);
  lim.logical_bs_shift = 9 + r.U8() % 4;  // [9, 12]

  // The descriptor, alone in a heap block of exactly its size.
  auto shared = std::make_unique<uint8_t[]>(sizeof(IoDesc));
  r.Bytes(shared.get(), sizeof(IoDesc));
  IoDesc d;
  std::memcpy(&d, shared.get(), sizeof(d));

  Request out;
  const int rc = DecodeRequest(reinterpret_cast<const IoDesc*>(shared.get()), lim, &out);
  FUZZ_CHECK(std::memcmp(&d, shared.get(), sizeof(d)) == 0);  // shared memory untouched

  if (rc != 0) {
    FUZZ_CHECK(rc == -EINVAL || rc == -EOPNOTSUPP);
  } else {
    const uint8_t op = out.op;
    FUZZ_CHECK(op == kOpRead || op == kOpWrite || op == kOpFlush || op == kOpDiscard ||
               op == kOpWriteZeroes);
    FUZZ_CHECK(lim.ops_mask & OpBit(op));
    FUZZ_CHECK(op == (d.op_flags & 0xff));
    FUZZ_CHECK(out.flags == (d.op_flags & ~0xffu));
    if (op == kOpFlush) {
      FUZZ_CHECK(out.offset == 0 && out.length == 0);
    } else {
      const uint64_t lbs = uint64_t{1} << lim.logical_bs_shift;
      uint64_t end = 0;
      FUZZ_CHECK(out.length > 0);
      if (op == kOpRead || op == kOpWrite) FUZZ_CHECK(out.length <= lim.buffer_bytes);
      FUZZ_CHECK(!__builtin_add_overflow(out.offset, uint64_t{out.length}, &end));
      FUZZ_CHECK(lim.dev_sectors <= UINT64_MAX / 512);
      FUZZ_CHECK(end <= lim.dev_sectors * 512);
      FUZZ_CHECK(out.offset % lbs == 0 && out.length % lbs == 0);
      // ... and it is the request the descriptor describes.
      FUZZ_CHECK(out.offset / 512 == d.start_sector && out.offset % 512 == 0);
      FUZZ_CHECK(uint64_t{out.length} == uint64_t{d.nr_sectors} * 512);
    }
  }
  FUZZ_CHECK(rc == Expected(d, lim));
  return 0;
}
