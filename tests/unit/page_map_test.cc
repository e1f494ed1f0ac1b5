// The file backend's data page map: which reads may go through a tmpfs
// file's mapping without allocating a hole.
#include "backends/page_map.h"

#include <sys/mman.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace ublk::backends {
namespace {

constexpr uint64_t kPage = 4096;

TEST(PageMap, MarksEveryTouchedPageAndClearsOnlyWholeOnes) {
  auto m = PageMap::Create(1024 * kPage, kPage);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->AllData(0, kPage));
  m->MarkData(kPage + 512, 512);  // a partial write still allocates the page
  EXPECT_TRUE(m->AllData(kPage, kPage));
  EXPECT_FALSE(m->AllData(0, 2 * kPage));
  m->MarkData(60 * kPage, 10 * kPage);  // across a 64-page word boundary
  EXPECT_TRUE(m->AllData(60 * kPage, 10 * kPage));
  EXPECT_FALSE(m->AllData(60 * kPage, 11 * kPage));
  EXPECT_FALSE(m->AllData(59 * kPage, 2 * kPage));
  m->MarkHole(61 * kPage + 1, 2 * kPage);  // only page 62 is wholly inside
  EXPECT_TRUE(m->AllData(61 * kPage, kPage));
  EXPECT_FALSE(m->AllData(62 * kPage, kPage));
  EXPECT_TRUE(m->AllData(63 * kPage, 7 * kPage));
  m->MarkData(0, 1024 * kPage);
  EXPECT_TRUE(m->AllData(0, 1024 * kPage));
  EXPECT_FALSE(m->AllData(1023 * kPage, 2 * kPage)) << "past the end";
  EXPECT_FALSE(m->AllData(0, 0));
}

TEST(PageMap, FindsTheDataExtentsOfASparseFile) {
  const int fd = memfd_create("page-map", MFD_CLOEXEC);  // tmpfs, like the backend's files
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 256 * kPage), 0);
  char page[kPage] = {1};
  ASSERT_EQ(pwrite(fd, page, kPage, 3 * kPage), static_cast<ssize_t>(kPage));
  ASSERT_EQ(pwrite(fd, page, kPage, 200 * kPage), static_cast<ssize_t>(kPage));
  auto m = PageMap::Create(256 * kPage, kPage);
  ASSERT_TRUE(m.ok());
  m->MarkExtents(fd);
  EXPECT_TRUE(m->AllData(3 * kPage, kPage));
  EXPECT_TRUE(m->AllData(200 * kPage, kPage));
  EXPECT_FALSE(m->AllData(0, kPage));
  EXPECT_FALSE(m->AllData(4 * kPage, kPage));
  EXPECT_FALSE(m->AllData(255 * kPage, kPage));
  close(fd);
}

TEST(PageMap, RefusesABadPageSize) { EXPECT_FALSE(PageMap::Create(kPage, 3000).ok()); }

}  // namespace
}  // namespace ublk::backends
