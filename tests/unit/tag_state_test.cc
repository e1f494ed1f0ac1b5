// The per-tag protocol against a scripted fake kernel.
#include "queue/tag_state.h"

#include "gtest/gtest.h"
#include "uapi/abi.h"

namespace ublk {
namespace {

using A = TagStates::Action;

TEST(TagStates, FetchDispatchCommitCycle) {
  TagStates t(4);
  EXPECT_EQ(t.live(), 4u);
  EXPECT_EQ(t.OnCqe(2, uapi::kIoResOk), A::kDispatch);
  EXPECT_EQ(t.in_backend(), 1u);
  EXPECT_TRUE(t.OnBackendDone(2));
  EXPECT_EQ(t.in_backend(), 0u);
  EXPECT_EQ(t.OnCqe(2, uapi::kIoResOk), A::kDispatch);  // fetched again
}

TEST(TagStates, AbortKillsTags) {
  TagStates t(2);
  EXPECT_EQ(t.OnCqe(0, uapi::kIoResAbort), A::kDied);
  EXPECT_EQ(t.OnCqe(1, uapi::kIoResAbort), A::kDied);
  EXPECT_EQ(t.live(), 0u);
  EXPECT_EQ(t.errors(), 0u);
}

TEST(TagStates, KernelErrorCounts) {
  TagStates t(1);
  EXPECT_EQ(t.OnCqe(0, -22), A::kDied);
  EXPECT_EQ(t.errors(), 1u);
}

TEST(TagStates, ViolationsAreIgnored) {
  TagStates t(2);
  EXPECT_EQ(t.OnCqe(7, uapi::kIoResOk), A::kIgnore);  // tag out of range
  EXPECT_EQ(t.OnCqe(0, uapi::kIoResOk), A::kDispatch);
  EXPECT_EQ(t.OnCqe(0, uapi::kIoResOk), A::kIgnore);  // server owns it
  EXPECT_FALSE(t.OnBackendDone(1));                   // kernel owns it
  EXPECT_TRUE(t.OnBackendDone(0));
  EXPECT_FALSE(t.OnBackendDone(0));  // double completion
  EXPECT_EQ(t.violations(), 4u);
  EXPECT_EQ(t.live(), 2u);
}

TEST(TagStates, InFlightTagDiesOnlyAfterCommit) {
  TagStates t(1);
  ASSERT_EQ(t.OnCqe(0, uapi::kIoResOk), A::kDispatch);
  // Stop: the commit's re-fetch is what gets aborted.
  ASSERT_TRUE(t.OnBackendDone(0));
  EXPECT_EQ(t.OnCqe(0, uapi::kIoResAbort), A::kDied);
  EXPECT_EQ(t.live(), 0u);
}

// BATCH_IO: the fetch ends; tags the kernel held die at once, a tag still in
// the backend dies once its commit is sent.
TEST(TagStates, BatchFetchEndKillsHeldTagsAndLaterCommitted) {
  TagStates t(3);
  EXPECT_EQ(t.OnCqe(1, uapi::kIoResOk), A::kDispatch);
  t.OnFetchEnded();
  EXPECT_EQ(t.live(), 1u);  // tag 1 is still in the backend
  EXPECT_EQ(t.state(0), TagStates::State::kDead);
  EXPECT_TRUE(t.OnBackendDone(1));  // its commit still goes out
  EXPECT_EQ(t.live(), 0u);
  EXPECT_EQ(t.OnCqe(1, uapi::kIoResOk), A::kIgnore);  // dead: not fetched again
  EXPECT_EQ(t.errors(), 0u);
}

TEST(TagStates, BatchRefusedCommitKillsTheTag) {
  TagStates t(2);
  EXPECT_EQ(t.OnCqe(0, uapi::kIoResOk), A::kDispatch);
  EXPECT_TRUE(t.OnBackendDone(0));
  t.OnCommitRefused(0);
  EXPECT_EQ(t.state(0), TagStates::State::kDead);
  EXPECT_EQ(t.live(), 1u);
  EXPECT_EQ(t.errors(), 1u);
  t.OnCommitRefused(0);  // already dead: counted, nothing else
  EXPECT_EQ(t.live(), 1u);
  EXPECT_EQ(t.errors(), 2u);
}

}  // namespace
}  // namespace ublk
