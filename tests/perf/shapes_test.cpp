// Shapes files (perf/presets/*.csv, `asmk tune --shapes FILE`): "m,n,k", and ASMK_LOG_UNTUNED's
// "family,m,n,k" log of several families, of which a sweep reads its own family's rows.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "asmk/perf/sweep.hpp"

namespace asmk::perf {
namespace {

std::filesystem::path write(const std::string& name, const std::string& text) {
  const auto file = std::filesystem::temp_directory_path() / (name + std::to_string(::getpid()) + ".csv");
  std::ofstream(file) << text;
  return file;
}

TEST(Shapes, AFamilyColumnKeepsThatFamilysRows) {
  const auto file = write("untuned", "# GEMM problems without a tuned row (ASMK_LOG_UNTUNED)\nfamily,m,n,k\n"
                                     "gemm_a8w8,31,1024,4096\ngemm_bf16,7,64,128\ngemm_a8w8,20,1024,4096\n");
  const auto a8w8 = load_shapes(file, "gemm_a8w8");
  ASSERT_TRUE(a8w8.ok()) << a8w8.error();
  ASSERT_EQ(a8w8->size(), 2u);
  EXPECT_EQ((*a8w8)[0].m, 31u);
  EXPECT_EQ((*a8w8)[1].m, 20u);
  EXPECT_EQ((*a8w8)[1].k, 4096u);
  const auto bf16 = load_shapes(file, "gemm_bf16");
  ASSERT_TRUE(bf16.ok()) << bf16.error();
  ASSERT_EQ(bf16->size(), 1u);
  EXPECT_EQ((*bf16)[0].n, 64u);
  const auto none = load_shapes(file, "gemm_a4w4");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().find("no shapes of family gemm_a4w4 (it has shapes of gemm_a8w8, gemm_bf16)"), std::string::npos)
      << none.error();
  std::filesystem::remove(file);
}

TEST(Shapes, ThePlainFormStillReadsEveryRow) {
  const auto file = write("plain", "m,n,k\n1,2,3\n4,5,6\n");
  const auto shapes = load_shapes(file, "gemm_a8w8");
  ASSERT_TRUE(shapes.ok()) << shapes.error();
  EXPECT_EQ(shapes->size(), 2u);
  const auto bad = write("bad", "family,m\n");
  EXPECT_FALSE(load_shapes(bad, "x").ok());
  std::filesystem::remove(file);
  std::filesystem::remove(bad);
}

}  // namespace
}  // namespace asmk::perf
