// Packed integers of uapi/encoding.h: queue-ring user_data, user-copy
// file positions and the AUTO_BUF_REG sqe->addr; and the BATCH_IO answers
// of uapi/batch.h. Round trips must be exact for in-range input and
// out-of-range input refused, in both directions.
//
// Input: mode u8 | tag u16 | kind u8 | aux u32 | raw user_data u64 |
//        q_id u32 | tag u32 | offset u32 | raw position u64 |
//        index u16 | flags u8 | raw sqe->addr u64 |
//        commit res u32 | nr u16 | batch flags u16 | depth u16 | len u8 | len tag bytes.
// Mode bits fold fields into (or near) their valid ranges so that both the
// accepting and the refusing paths are hit by most inputs.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_common.h"
#include "uapi/abi.h"
#include "uapi/batch.h"
#include "uapi/encoding.h"

namespace {

using namespace ublk::uapi;

void UserDataFromFields(uint16_t tag, uint8_t kind, uint32_t aux, uint8_t queue) {
  const bool valid_kind = kind >= 1 && kind <= 5;
  UserData in;
  in.tag = tag;
  in.kind = static_cast<SqeKind>(kind);
  in.aux = aux;
  in.queue = queue;
  const uint64_t raw = EncodeUserData(in);
  FUZZ_CHECK(raw >> 56 == queue);
  FUZZ_CHECK((raw & 0xffff) == tag);
  FUZZ_CHECK(((raw >> 16) & 0xff) == kind);
  FUZZ_CHECK(((raw >> 24) & 0xffffffffu) == aux);
  UserData out;
  const bool ok = DecodeUserData(raw, &out);
  FUZZ_CHECK(ok == valid_kind);
  if (ok) {
    FUZZ_CHECK(out.tag == in.tag && out.kind == in.kind && out.aux == in.aux &&
               out.queue == in.queue);
  }
}

void UserDataFromRaw(uint64_t raw) {
  const uint8_t kind = (raw >> 16) & 0xff;
  const bool valid = kind >= 1 && kind <= 5;
  UserData out;
  const bool ok = DecodeUserData(raw, &out);
  FUZZ_CHECK(ok == valid);
  if (ok) {
    FUZZ_CHECK(static_cast<uint8_t>(out.kind) == kind);
    FUZZ_CHECK(EncodeUserData(out) == raw);
  }
}

void PosFromFields(uint32_t q_id, uint32_t tag, uint32_t offset) {
  const bool in_range = q_id < 4096 && tag < 65536 && offset < (1u << 25);
  uint64_t pos = 0;
  const bool ok = EncodeUserCopyPos(q_id, tag, offset, &pos);
  FUZZ_CHECK(ok == in_range);
  if (!ok) return;
  FUZZ_CHECK(pos >= kIoBufOffset && pos - kIoBufOffset < kIoBufTotalSize);
  uint32_t q2 = ~0u, t2 = ~0u, o2 = ~0u;
  FUZZ_CHECK(DecodeUserCopyPos(pos, &q2, &t2, &o2));
  FUZZ_CHECK(q2 == q_id && t2 == tag && o2 == offset);
  // Neighbouring requests never overlap: the next byte after the largest
  // offset belongs to the next tag (or queue), not to this one.
  if (offset == (1u << 25) - 1 && (tag < 65535 || q_id < 4095)) {
    FUZZ_CHECK(DecodeUserCopyPos(pos + 1, &q2, &t2, &o2));
    FUZZ_CHECK(o2 == 0 && (t2 != tag || q2 != q_id));
  }
}

void PosFromRaw(uint64_t pos) {
  const bool valid = pos >= kIoBufOffset && pos - kIoBufOffset < (uint64_t{1} << 53);
  uint32_t q = ~0u, t = ~0u, o = ~0u;
  const bool ok = DecodeUserCopyPos(pos, &q, &t, &o);
  FUZZ_CHECK(ok == valid);
  if (!ok) return;
  FUZZ_CHECK(q < 4096 && t < 65536 && o < (1u << 25));
  uint64_t again = 0;
  FUZZ_CHECK(EncodeUserCopyPos(q, t, o, &again));
  FUZZ_CHECK(again == pos);
}

// AUTO_BUF_REG: fields -> addr -> fields is exact; an addr with reserved
// bits set (which the kernel refuses) is refused.
void AutoBufRegRoundTrip(uint16_t index, uint8_t flags, uint64_t raw) {
  const uint64_t addr = EncodeAutoBufReg(index, flags);
  FUZZ_CHECK(addr >> 24 == 0);
  uint16_t i2 = 0;
  uint8_t f2 = 0;
  FUZZ_CHECK(DecodeAutoBufReg(addr, &i2, &f2));
  FUZZ_CHECK(i2 == index && f2 == flags);
  const bool ok = DecodeAutoBufReg(raw, &i2, &f2);
  FUZZ_CHECK(ok == (raw >> 24 == 0));
  if (ok) FUZZ_CHECK(EncodeAutoBufReg(i2, f2) == raw);
}

// BATCH_IO answers: a COMMIT count never claims more than was sent and
// always names whole elements; FETCH tags are all < depth, and every u16 of
// a well-formed answer is either a tag or counted bad.
void BatchCommit(int32_t res, uint16_t nr, uint16_t flags) {
  const uint8_t eb = BatchElemBytes(flags);
  const CommitOutcome o = ParseCommitResult(res, nr, eb);
  FUZZ_CHECK(o.committed <= nr);
  if (o.malformed) return;
  if (res >= 0) FUZZ_CHECK(static_cast<int64_t>(o.committed) * eb == res);
  FUZZ_CHECK(o.refused == (o.committed < nr));
  if (o.refused) FUZZ_CHECK(o.error < 0);
}

void BatchFetch(const uint8_t* buf, size_t len, int32_t res, uint16_t depth) {
  std::vector<uint16_t> out(len / 2 + 1);
  uint32_t bad = 0;
  const size_t n = ParseFetchedTags(buf, len, res, depth, out.data(), &bad);
  for (size_t i = 0; i < n; ++i) FUZZ_CHECK(out[i] < depth);
  const bool well_formed = res >= 0 && !(res & 1) && static_cast<size_t>(res) <= len;
  if (well_formed)
    FUZZ_CHECK(n + bad == static_cast<size_t>(res) / 2);
  else
    FUZZ_CHECK(n == 0 && bad == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ublk::fuzz::Reader r(data, size);
  const uint8_t mode = r.U8();

  const uint16_t tag16 = r.U16();
  uint8_t kind = r.U8();
  if (mode & 0x01) kind %= 7;  // 0 and 6 invalid, 1-5 valid
  const uint32_t aux = r.U32();
  UserDataFromFields(tag16, kind, aux, r.U8());

  uint64_t raw = r.U64();
  if (mode & 0x02)  // a valid kind byte, so that decoding goes all the way
    raw = (raw & ~(uint64_t{0xff} << 16)) | (uint64_t{1 + ((raw >> 16) & 0xff) % 5} << 16);
  UserDataFromRaw(raw);

  uint32_t q_id = r.U32(), tag = r.U32(), offset = r.U32();
  if (mode & 0x04) {  // around the limits: half in range, half just outside
    q_id %= 2 * 4096;
    tag %= 2 * 65536;
    offset %= 2u << 25;
  }
  if (mode & 0x08) offset = (1u << 25) - 1;
  PosFromFields(q_id, tag, offset);

  uint64_t pos = r.U64();
  if (mode & 0x10)
    pos = kIoBufOffset + (pos % (uint64_t{1} << 54)) - (uint64_t{1} << 30) * (mode >> 7);
  PosFromRaw(pos);

  const uint16_t index = r.U16();
  const uint8_t flags = r.U8();
  uint64_t addr = r.U64();
  if (mode & 0x20) addr &= (uint64_t{1} << 25) - 1;  // mostly valid, bit 24 reserved
  AutoBufRegRoundTrip(index, flags, addr);

  int32_t res = static_cast<int32_t>(r.U32());
  const uint16_t nr = r.U16();
  const uint16_t bflags = r.U16() & 0x0f;
  if (mode & 0x40) res = static_cast<int32_t>(static_cast<uint32_t>(res) % 4096);
  BatchCommit(res, nr, bflags);
  const uint16_t depth = r.U16();
  const size_t len = r.U8();
  std::vector<uint8_t> tags(len);
  for (auto& b : tags) b = r.U8();
  BatchFetch(tags.data(), tags.size(), (mode & 0x40) ? res % 300 : res, depth);
  return 0;
}
