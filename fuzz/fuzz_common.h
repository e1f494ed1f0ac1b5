// Shared helpers for the libFuzzer targets in fuzz/: an always-on CHECK that
// aborts (libFuzzer and the replay driver both report it as a crash), and a
// reader that takes fixed-width fields from the input, zero-filling once it
// runs out, so every input -- even an empty one -- decodes to something.
// Header-only and compiler-neutral: also built by gcc for the replay tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "uapi/spec.h"

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace ublk::fuzz {

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  // Copies `n` bytes into `out`, zero-filling past the end of the input.
  void Bytes(void* out, size_t n) {
    const size_t take = n < size_ - pos_ ? n : size_ - pos_;
    if (take) std::memcpy(out, data_ + pos_, take);
    if (take < n) std::memset(static_cast<uint8_t*>(out) + take, 0, n - take);
    pos_ += take;
  }
  template <typename T>
  T Take() {
    T v;
    Bytes(&v, sizeof(v));
    return v;
  }
  uint8_t U8() { return Take<uint8_t>(); }
  uint16_t U16() { return Take<uint16_t>(); }
  uint32_t U32() { return Take<uint32_t>(); }
  uint64_t U64() { return Take<uint64_t>(); }
  bool Bool() { return U8() & 1; }

  size_t remaining() const { return size_ - pos_; }
  const uint8_t* rest() const { return data_ + pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

inline bool IsPow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// A block-ish size: with `raw` the input's 32 bits as they are (mostly
// invalid), otherwise 0 or a power of two 2^(0..31) so that ValidateSpec
// accepts often enough for the round-trip checks to run.
inline uint32_t SizeField(Reader& r, bool raw) {
  if (raw) return r.U32();
  const uint8_t b = r.U8();
  return b >= 0xe0 ? 0 : 1u << (b % 32);
}

// A DeviceSpec from the input. Byte 0 picks, per field group, between raw
// values (exercising refusals) and plausible ones (exercising acceptance).
inline uapi::DeviceSpec SpecFromInput(Reader& r) {
  const uint8_t mode = r.U8();
  uapi::DeviceSpec s;
  s.logical_block_size = SizeField(r, mode & 0x01);
  if (!(mode & 0x01) && s.logical_block_size == 0) s.logical_block_size = 512;
  s.physical_block_size = SizeField(r, mode & 0x01);
  s.io_opt_bytes = SizeField(r, mode & 0x01);
  s.io_min_bytes = SizeField(r, mode & 0x01);
  if (mode & 0x02) {
    s.size_bytes = r.U64();
  } else {  // a whole number of 4 KiB blocks below 2^62
    s.size_bytes = (r.U64() & ((uint64_t{1} << 50) - 1)) << 12;
  }
  if (mode & 0x04) {
    s.nr_queues = r.U16();
    s.queue_depth = r.U16();
  } else {
    s.nr_queues = static_cast<uint16_t>(r.U16() % uapi::kMaxNrQueues + 1);
    s.queue_depth = static_cast<uint16_t>(r.U16() % uapi::kMaxQueueDepth + 1);
  }
  if (mode & 0x08) {
    s.max_io_bytes = r.U32();
  } else {
    s.max_io_bytes = (r.U32() % (uapi::kMaxIoBytes / uapi::kPageSize) + 1) * uapi::kPageSize;
  }
  if (mode & 0x10) {
    s.dev_id = r.U32();
  } else {
    const uint32_t v = r.U32();
    s.dev_id = (v & 1) ? uapi::kAutoDevId : (v >> 1) % uapi::kMaxDevices;
  }
  const uint8_t bools = r.U8();
  s.read_only = bools & 0x01;
  s.rotational = bools & 0x02;
  s.volatile_cache = bools & 0x04;
  s.fua = bools & 0x08;
  s.discard = bools & 0x10;
  s.write_zeroes = bools & 0x20;
  s.kernel_flags = r.U64();
  return s;
}

}  // namespace ublk::fuzz
