// Reading tuned tables (docs/contracts.md): rows by problem (M bucketed), later rows first, malformed
// rows and files are skipped with a note (the selector repeats it in its reason), a missing file is no
// row.
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "ops/tuned_table.hpp"

namespace asmk {
namespace {

class TunedTable : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("asmk_tuned_" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "tuned");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& text) {
    std::ofstream(root_ / "tuned" / "gfx950-256.csv") << text;
    // A new modification time for each rewrite, so the cache reloads.
    std::filesystem::last_write_time(root_ / "tuned" / "gfx950-256.csv",
                                     std::filesystem::file_time_type::clock::now() + std::chrono::seconds(++generation_));
  }
  gemm::TunedLookup lookup(std::uint32_t m, std::uint32_t n, std::uint32_t k) {
    return gemm::lookup_tuned(root_, "gfx950", 256, "gemm_a8w8", m, n, k);
  }
  std::filesystem::path root_;
  int generation_ = 0;
};

TEST_F(TunedTable, FindsTheRowOfTheExactProblem) {
  write("family,m,n,k,kernel,k_splits\n"
        "gemm_a8w8,16,4096,7168,kernel_one,1\n"
        "gemm_bf16,16,4096,7168,kernel_bf16,1\n"
        "gemm_a8w8,32,4096,7168,kernel_two,4\n"
        "gemm_a8w8,32,4096,7168,kernel_three,2\n");
  auto hit = lookup(16, 4096, 7168);
  ASSERT_TRUE(hit.choice);
  EXPECT_EQ(hit.choice->kernel, "kernel_one");
  EXPECT_EQ(hit.choice->k_splits, 1u);
  EXPECT_EQ(hit.choice->line, 2u);
  EXPECT_TRUE(hit.note.empty());
  auto later = lookup(32, 4096, 7168);  // every row of the problem, the last one first
  ASSERT_TRUE(later.choice);
  EXPECT_EQ(later.choice->kernel, "kernel_three");
  EXPECT_EQ(later.choice->k_splits, 2u);
  ASSERT_EQ(later.rows.size(), 2u);  // rows may differ in dtypes: the selector takes the first that fits
  EXPECT_EQ(later.rows[1].kernel, "kernel_two");
  EXPECT_FALSE(lookup(16, 4096, 7169).choice);
}

TEST_F(TunedTable, AnMBetweenTunedRowsUsesItsBucket) {
  write("family,m,n,k,kernel,k_splits\n"
        "gemm_a8w8,16,4096,7168,kernel_16,1\n"
        "gemm_a8w8,32,4096,7168,kernel_32,2\n"
        "gemm_a8w8,32,4096,1024,kernel_32_short_k,1\n"
        "gemm_a8w8,128,4096,7168,kernel_128,1\n");
  const auto m17 = lookup(17, 4096, 7168);  // 16 < 17 <= 32 < 34: the M = 32 rows
  ASSERT_TRUE(m17.choice);
  EXPECT_EQ(m17.choice->kernel, "kernel_32");
  EXPECT_EQ(m17.choice->m, 32u);
  EXPECT_EQ(lookup(16, 4096, 7168).choice->kernel, "kernel_16");  // an exact row wins
  EXPECT_EQ(lookup(1, 4096, 7168).choice, std::nullopt);            // 16 >= 2 · 1: too far
  EXPECT_EQ(lookup(33, 4096, 7168).choice, std::nullopt);           // 128 >= 66
  EXPECT_EQ(lookup(65, 4096, 7168).choice->kernel, "kernel_128");
  EXPECT_EQ(lookup(17, 4096, 1024).choice->kernel, "kernel_32_short_k");
  EXPECT_EQ(lookup(200, 4096, 7168).choice, std::nullopt);          // nothing above
}

TEST_F(TunedTable, MalformedRowsAreSkippedWithANote) {
  write("family,m,n,k,kernel,k_splits\n"
        "gemm_a8w8,16,4096,lots,kernel_bad,1\n"
        "gemm_a8w8,16,4096,7168,kernel_zero_splits,0\n"
        "gemm_a8w8,8,4096,7168,kernel_ok,1\n");
  EXPECT_FALSE(lookup(16, 4096, 7168).choice);
  const auto ok = lookup(8, 4096, 7168);
  ASSERT_TRUE(ok.choice);
  EXPECT_EQ(ok.choice->kernel, "kernel_ok");
  EXPECT_NE(ok.note.find("gfx950-256.csv:2 is malformed and skipped"), std::string::npos) << ok.note;
}

TEST_F(TunedTable, AWrongHeaderIgnoresTheFile) {
  write("m,n,k,kernel\ngemm_a8w8,8,4096,7168,kernel_ok,1\n");
  const auto r = lookup(8, 4096, 7168);
  EXPECT_FALSE(r.choice);
  EXPECT_NE(r.note.find("ignored: its header is 'm,n,k,kernel', not 'family,m,n,k,kernel,k_splits'"), std::string::npos)
      << r.note;
}

TEST_F(TunedTable, NoFileIsNoRow) {
  const auto r = gemm::lookup_tuned(root_, "gfx942", 304, "gemm_a8w8", 8, 4096, 7168);
  EXPECT_FALSE(r.choice);
  EXPECT_TRUE(r.note.empty());
}

}  // namespace
}  // namespace asmk
