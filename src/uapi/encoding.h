// Integers the library packs several fields into: the io_uring user_data of
// queue-ring SQEs and the user-copy file offset. Round trips are exact and
// out-of-range input is refused (returns false). Pure.
#pragma once

#include <cstdint>

namespace ublk::uapi {

// What an SQE on a queue ring is for.
enum class SqeKind : uint8_t {
  kUblkCmd = 1,   // FETCH / COMMIT_AND_FETCH / NEED_GET_DATA for a tag
  kWakeup = 2,    // read of the queue's eventfd (foreign completions, stop)
  kBackend = 3,   // I/O a backend issued on the queue ring (aux = its cookie)
  kBufCmd = 4,    // REGISTER_IO_BUF / UNREGISTER_IO_BUF for a tag (aux = which)
  kBatchCmd = 5,  // BATCH_IO PREP / COMMIT / FETCH_IO_CMDS (aux = which, see queue.cc)
};

struct UserData {
  uint16_t tag = 0;
  SqeKind kind = SqeKind::kUblkCmd;
  uint32_t aux = 0;
  uint8_t queue = 0;  // which of the ring's queues (see uapi/queue_threads.h)
};

// Layout: tag bits 0-15, kind bits 16-23, aux bits 24-55, queue bits 56-63.
uint64_t EncodeUserData(const UserData& ud);
bool DecodeUserData(uint64_t raw, UserData* out);

// pread/pwrite position on /dev/ublkcN for the data of (queue, tag) at byte
// `offset` inside the request (USER_COPY mode).
bool EncodeUserCopyPos(uint32_t q_id, uint32_t tag, uint32_t offset, uint64_t* pos);
bool DecodeUserCopyPos(uint64_t pos, uint32_t* q_id, uint32_t* tag, uint32_t* offset);

// The `sqe->addr` of FETCH / COMMIT_AND_FETCH with AUTO_BUF_REG: buffer
// index bits 0-15, flags bits 16-23, reserved bits 24-63 (must be zero).
uint64_t EncodeAutoBufReg(uint16_t index, uint8_t flags);
bool DecodeAutoBufReg(uint64_t addr, uint16_t* index, uint8_t* flags);

}  // namespace ublk::uapi
