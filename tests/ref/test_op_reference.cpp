// The references by op name (op_reference.hpp): the registry, strided host tensors, the two
// comparison rules, random inputs by dtype, and built-in references on hand-worked cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "asmk/ref/numeric.hpp"
#include "asmk/ref/op_reference.hpp"

namespace {

using namespace asmk::ref;

OpTensor tensor(const char* name, const char* dtype, std::uint32_t bits, std::vector<std::uint64_t> shape,
                std::vector<std::uint64_t> strides, std::size_t bytes, bool output = false) {
  OpTensor t;
  t.name = name, t.dtype = dtype, t.bits = bits, t.shape = std::move(shape), t.strides = std::move(strides);
  t.bytes.assign(bytes, 0);
  t.output = output;
  return t;
}

TEST(OpReference, EveryBuiltInOpHasOne) {
  for (const char* op : {"gemm_bf16", "gemm_a8w8", "gemm_a8w8_blockscale", "gemm_a4w4", "quant_fp8", "quant_mxfp4", "shuffle_b"}) {
    const OpReference* r = find_op_reference(op);
    ASSERT_NE(r, nullptr) << op;
    EXPECT_TRUE(static_cast<bool>(r->compute)) << op;
  }
  EXPECT_EQ(find_op_reference("nope"), nullptr);
}

TEST(OpReference, RegisteredAtRunTimeIsFound) {
  ASSERT_EQ(find_op_reference("test_only_op"), nullptr);
  OpReference r;
  r.compute = [](const OpProblem&, const OpTensors&, std::map<std::string, Expected>&) { return Status::failure("x"); };
  register_op_reference("test_only_op", r);
  ASSERT_NE(find_op_reference("test_only_op"), nullptr);
  const auto names = op_reference_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "test_only_op"), names.end());
}

// A [3, 4] bf16 tensor with row stride 6 elements: rows start at bytes 0, 12, 24.
TEST(OpReference, StridedRowsAndPacking) {
  OpTensor t = tensor("x", "bf16", 16, {3, 4}, {6}, (2 * 6 + 4) * 2);
  EXPECT_EQ(t.rows(), 3u);
  EXPECT_EQ(t.row_bytes(), 8u);
  EXPECT_EQ(t.row_offset(2), 24u);
  EXPECT_EQ(t.row_stride(), 6u);
  for (std::size_t i = 0; i < t.bytes.size(); ++i) t.bytes[i] = static_cast<std::uint8_t>(i);
  const auto packed = t.packed();
  ASSERT_EQ(packed.size(), 24u);
  EXPECT_EQ(packed[8], 12);  // row 1 starts at byte 12
  EXPECT_EQ(packed[23], 31);
  // fp4 strides count bytes: [2, 64] with a 40-byte stride, rows of 32 bytes.
  const OpTensor f = tensor("a", "fp4", 4, {2, 64}, {40}, 72);
  EXPECT_EQ(f.row_bytes(), 32u);
  EXPECT_EQ(f.row_offset(1), 40u);
}

TEST(OpReference, ExactComparisonIgnoresPaddingAndFindsOneBit) {
  OpTensor want = tensor("y", "u8", 8, {2, 3}, {4}, 7, true);
  for (std::size_t i = 0; i < 7; ++i) want.bytes[i] = static_cast<std::uint8_t>(10 + i);
  OpTensor got = want;
  got.bytes[3] = 0xee;  // padding of row 0
  Comparison c = compare_op_output(got, Expected::bits(want));
  EXPECT_TRUE(c.ok()) << c.detail;
  EXPECT_EQ(c.count, 6u);
  EXPECT_EQ(c.summary(), "y 6/6 identical");
  got.bytes[5] ^= 1;  // row 1, element 1
  c = compare_op_output(got, Expected::bits(want));
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.mismatches, 1u);
  EXPECT_NE(c.detail.find("1 of 6 elements differ from ref/, the first at row 1, byte 1"), std::string::npos) << c.detail;
}

// gemm_bf16 by name: A = [[1, 2]], B = [[3, 4], [5, 6]] -> C = [[11, 17]]; C within tolerance when
// right, outside when one element is off by far more than the bf16 rounding.
TEST(OpReference, GemmBf16ByNameUsesTheToleranceRule) {
  OpTensors t;
  t["a"] = tensor("a", "bf16", 16, {1, 2}, {2}, 4);
  t["b"] = tensor("b", "bf16", 16, {2, 2}, {2}, 8);
  t["c"] = tensor("c", "bf16", 16, {1, 2}, {2}, 4, true);
  const float a[] = {1, 2}, b[] = {3, 4, 5, 6};
  for (int i = 0; i < 2; ++i) t["a"].as<std::uint16_t>()[i] = f32_to_bf16(a[i]);
  for (int i = 0; i < 4; ++i) t["b"].as<std::uint16_t>()[i] = f32_to_bf16(b[i]);
  OpProblem p{"gemm_bf16", asmk::Arch::gfx942, {{"m", "1"}, {"n", "2"}, {"k", "2"}, {"out_dtype", "bf16"}}};
  std::map<std::string, Expected> expected;
  ASSERT_TRUE(find_op_reference("gemm_bf16")->compute(p, t, expected).ok());
  ASSERT_EQ(expected.at("c").rule, CompareRule::gemm_tolerance);
  EXPECT_DOUBLE_EQ(expected.at("c").gemm.at(0, 1), 17.0);
  t["c"].as<std::uint16_t>()[0] = f32_to_bf16(11), t["c"].as<std::uint16_t>()[1] = f32_to_bf16(17);
  Comparison c = compare_op_output(t["c"], expected.at("c"));
  EXPECT_TRUE(c.ok()) << c.detail;
  EXPECT_EQ(c.count, 2u);
  t["c"].as<std::uint16_t>()[1] = f32_to_bf16(18);
  c = compare_op_output(t["c"], expected.at("c"));
  EXPECT_FALSE(c.ok());
  EXPECT_DOUBLE_EQ(c.max_abs_error, 1.0);
  EXPECT_DOUBLE_EQ(c.mean_abs_error, 0.5);
}

// shuffle_b by name on a strided source equals ref::shuffle_b of the packed rows.
TEST(OpReference, ShuffleBByNameHonoursTheSourceStride) {
  OpTensors t;
  t["src"] = tensor("src", "u8", 8, {64, 64}, {80}, 63 * 80 + 64);
  t["dst"] = tensor("dst", "u8", 8, {64, 64}, {64}, 64 * 64, true);
  for (std::size_t i = 0; i < t["src"].bytes.size(); ++i) t["src"].bytes[i] = static_cast<std::uint8_t>(i * 7);
  OpProblem p{"shuffle_b", asmk::Arch::gfx942, {{"n", "64"}, {"k", "64"}, {"stride_src", "80"}}};
  std::map<std::string, Expected> expected;
  ASSERT_TRUE(find_op_reference("shuffle_b")->compute(p, t, expected).ok());
  // One 64x64 block: the shuffled layout is row-major, so dst row r = src row r.
  const OpTensor& dst = expected.at("dst").exact;
  EXPECT_EQ(dst.bytes[64 * 5 + 3], t["src"].bytes[80 * 5 + 3]);
}

TEST(OpReference, RandomInputsByDtype) {
  std::mt19937 rng(1);
  OpTensor e = tensor("s", "e8m0", 8, {1000}, {}, 1000);
  fill_random(e, asmk::Arch::gfx950, rng);
  for (auto b : e.bytes) {
    EXPECT_GE(b, 122);
    EXPECT_LE(b, 130);
  }
  OpTensor i8 = tensor("a", "int8", 8, {1000}, {}, 1000);
  fill_random(i8, asmk::Arch::gfx942, rng);
  for (auto b : i8.bytes) EXPECT_LE(std::abs(static_cast<std::int8_t>(b)), 32);
  // fp8 codes on gfx942 (e4m3fnuz): never the NaN code 0x80.
  OpTensor f8 = tensor("a", "fp8", 8, {1000}, {}, 1000);
  fill_random(f8, asmk::Arch::gfx942, rng);
  for (auto b : f8.bytes) EXPECT_NE(b, 0x80);
  OpTensor f = tensor("x", "f32", 32, {1000}, {}, 4000);
  fill_random(f, asmk::Arch::gfx942, rng);
  double sum = 0;
  for (int i = 0; i < 1000; ++i) sum += std::fabs(f.as<float>()[i]);
  EXPECT_GT(sum / 1000, 0.6);  // |N(0, 1)| averages 0.8
  EXPECT_LT(sum / 1000, 1.0);
}

}  // namespace
