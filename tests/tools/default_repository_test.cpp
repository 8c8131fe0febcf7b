// asmk_default_repository / asmk_open(NULL): $ASMK_REPO, else the share/asmk next to libasmk
// (build/share/asmk here, which links to hsaco/; the moved install: tests/packaging).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "asmk.h"

namespace {

namespace fs = std::filesystem;

TEST(DefaultRepository, IsAsmkRepoWhenSet) {
  ASSERT_EQ(setenv("ASMK_REPO", "/some/kernels", 1), 0);
  EXPECT_STREQ(asmk_default_repository(), "/some/kernels");
  unsetenv("ASMK_REPO");
}

TEST(DefaultRepository, IsTheShareFolderNextToLibasmkOtherwise) {
  ASSERT_EQ(setenv("ASMK_REPO", "", 1), 0);  // empty counts as unset
  const char* found = asmk_default_repository();
  ASSERT_NE(found, nullptr);
  const fs::path repo = found;
  EXPECT_EQ(repo.filename(), "asmk");
  EXPECT_EQ(repo.parent_path().filename(), "share");
  // The same kernels as the source tree's hsaco/ (build/share/asmk/gfx942 links there).
  EXPECT_TRUE(fs::equivalent(repo / "gfx942" / "manifest.json", fs::path(ASMK_HSACO_DIR) / "gfx942" / "manifest.json"));

  asmk_open_options options;
  asmk_open_options_init(&options);
  options.backend = "record";
  options.device = "MI355X";
  asmk_context* context = nullptr;
  ASSERT_EQ(asmk_open(nullptr, &options, &context), ASMK_SUCCESS) << asmk_last_error();
  const asmk_kernel* kernel = nullptr;
  EXPECT_EQ(asmk_find_kernel(context, "shuffle_b_gfx950_r64", &kernel), ASMK_SUCCESS) << asmk_last_error();
  asmk_close(context);
  unsetenv("ASMK_REPO");
}

}  // namespace
