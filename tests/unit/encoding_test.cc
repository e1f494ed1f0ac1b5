#include "uapi/encoding.h"

#include "gtest/gtest.h"
#include "uapi/abi.h"

namespace ublk::uapi {
namespace {

TEST(Encoding, UserDataRoundTrip) {
  for (auto kind : {SqeKind::kUblkCmd, SqeKind::kWakeup, SqeKind::kBackend, SqeKind::kBufCmd,
                    SqeKind::kBatchCmd}) {
    for (uint16_t tag : {0, 1, 4095, 65535}) {
      for (uint8_t queue : {0, 1, 255}) {
        UserData in{.tag = tag, .kind = kind, .aux = 0xdeadbeef, .queue = queue};
        UserData out;
        ASSERT_TRUE(DecodeUserData(EncodeUserData(in), &out));
        EXPECT_EQ(out.tag, tag);
        EXPECT_EQ(out.kind, kind);
        EXPECT_EQ(out.aux, 0xdeadbeefu);
        EXPECT_EQ(out.queue, queue);
      }
    }
  }
}

TEST(Encoding, UserDataGarbageRefused) {
  UserData out;
  EXPECT_FALSE(DecodeUserData(0, &out));           // kind 0
  EXPECT_FALSE(DecodeUserData(1ull << 63, &out));  // queue 128, but kind 0
  EXPECT_FALSE(DecodeUserData(0x90000, &out));     // kind 9
}

TEST(Encoding, UserCopyPos) {
  uint64_t pos;
  ASSERT_TRUE(EncodeUserCopyPos(3, 17, 4096, &pos));
  EXPECT_EQ(pos, kIoBufOffset + ((3ull << 41) | (17ull << 25) | 4096));
  uint32_t q, t, o;
  ASSERT_TRUE(DecodeUserCopyPos(pos, &q, &t, &o));
  EXPECT_EQ(q, 3u);
  EXPECT_EQ(t, 17u);
  EXPECT_EQ(o, 4096u);
  EXPECT_FALSE(EncodeUserCopyPos(4096, 0, 0, &pos));
  EXPECT_FALSE(EncodeUserCopyPos(0, 65536, 0, &pos));
  EXPECT_FALSE(EncodeUserCopyPos(0, 0, 1u << 25, &pos));
  EXPECT_FALSE(DecodeUserCopyPos(kIoBufOffset - 1, &q, &t, &o));
}

}  // namespace
}  // namespace ublk::uapi
