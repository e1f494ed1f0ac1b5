#include "uapi/encoding.h"

#include "uapi/abi.h"

namespace ublk::uapi {

uint64_t EncodeUserData(const UserData& ud) {
  return uint64_t{ud.tag} | (uint64_t{static_cast<uint8_t>(ud.kind)} << 16) |
         (uint64_t{ud.aux} << 24) | (uint64_t{ud.queue} << 56);
}

bool DecodeUserData(uint64_t raw, UserData* out) {
  const auto kind = static_cast<uint8_t>((raw >> 16) & 0xff);
  if (kind < static_cast<uint8_t>(SqeKind::kUblkCmd) ||
      kind > static_cast<uint8_t>(SqeKind::kBatchCmd))
    return false;
  out->tag = static_cast<uint16_t>(raw & 0xffff);
  out->kind = static_cast<SqeKind>(kind);
  out->aux = static_cast<uint32_t>((raw >> 24) & 0xffffffffu);
  out->queue = static_cast<uint8_t>(raw >> 56);
  return true;
}

bool EncodeUserCopyPos(uint32_t q_id, uint32_t tag, uint32_t offset, uint64_t* pos) {
  if (q_id >= (1u << kQidBits) || tag >= (1u << kTagBits) || offset >= (1u << kIoBufBits))
    return false;
  *pos = kIoBufOffset + ((uint64_t{q_id} << kQidOff) | (uint64_t{tag} << kTagOff) | offset);
  return true;
}

bool DecodeUserCopyPos(uint64_t pos, uint32_t* q_id, uint32_t* tag, uint32_t* offset) {
  if (pos < kIoBufOffset) return false;
  const uint64_t rel = pos - kIoBufOffset;
  if (rel >= kIoBufTotalSize) return false;
  *offset = static_cast<uint32_t>(rel & ((1u << kIoBufBits) - 1));
  *tag = static_cast<uint32_t>((rel >> kTagOff) & ((1u << kTagBits) - 1));
  *q_id = static_cast<uint32_t>((rel >> kQidOff) & ((1u << kQidBits) - 1));
  return true;
}

uint64_t EncodeAutoBufReg(uint16_t index, uint8_t flags) {
  return uint64_t{index} | (uint64_t{flags} << 16);
}

bool DecodeAutoBufReg(uint64_t addr, uint16_t* index, uint8_t* flags) {
  if (addr >> 24) return false;  // reserved bits: the kernel refuses them
  *index = static_cast<uint16_t>(addr & 0xffff);
  *flags = static_cast<uint8_t>((addr >> 16) & 0xff);
  return true;
}

}  // namespace ublk::uapi
