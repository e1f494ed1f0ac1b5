#include "util/status.h"

#include <cerrno>

#include "gtest/gtest.h"

namespace ublk {
namespace {

TEST(Status, ErrnoSurvivesManyToOneCodes) {
  // ENOSPC and ENOMEM share absl's kResourceExhausted; the payload keeps them apart.
  EXPECT_EQ(ToErrno(ErrnoError(ENOSPC, "x")), ENOSPC);
  EXPECT_EQ(ToErrno(ErrnoError(ENOMEM, "x")), ENOMEM);
  EXPECT_EQ(ToErrno(ErrnoError(ENODEV, "x")), ENODEV);
  EXPECT_EQ(ToNegErrno(ErrnoError(EEXIST, "x")), -EEXIST);
}

TEST(Status, CodeTableWithoutPayload) {
  EXPECT_EQ(ToErrno(absl::OkStatus()), 0);
  EXPECT_EQ(ToErrno(absl::InvalidArgumentError("x")), EINVAL);
  EXPECT_EQ(ToErrno(absl::NotFoundError("x")), ENOENT);
  EXPECT_EQ(ToErrno(absl::AlreadyExistsError("x")), EEXIST);
  EXPECT_EQ(ToErrno(absl::PermissionDeniedError("x")), EPERM);
  EXPECT_EQ(ToErrno(absl::DeadlineExceededError("x")), ETIMEDOUT);
  EXPECT_EQ(ToErrno(absl::UnimplementedError("x")), EOPNOTSUPP);
  EXPECT_EQ(ToErrno(absl::InternalError("x")), EIO);
}

TEST(Status, NonPositiveErrnoBecomesEio) { EXPECT_EQ(ToErrno(ErrnoError(0, "x")), EIO); }

TEST(Status, AnnotateKeepsErrno) {
  absl::Status s = Annotate(ErrnoError(EBUSY, "inner"), "outer");
  EXPECT_EQ(ToErrno(s), EBUSY);
  EXPECT_EQ(s.message(), "outer: inner");
}

}  // namespace
}  // namespace ublk
