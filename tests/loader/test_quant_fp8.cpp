// quant_fp8 through the C ABI on the fixture: selection (expected choices derived by hand from
// the rule documented in loader/src/ops/quant_fp8.hpp), launch packing, and every bad input.
//
// Fixture kernels: gfx942 bf16 row n{256,512,1024}, bf16 group n{128,256,512,1024},
// fp16 row n1024, fp16 group n512; gfx950 bf16 row n1024, bf16 group n{256,512}, fp16 group n512.
#include <cstring>
#include <filesystem>

#include <unistd.h>

#include <gtest/gtest.h>

#include "support.hpp"

namespace asmk {
namespace {

using test::mentions;
using test::outcome;

asmk_quant_fp8_args problem(std::uint32_t m, std::uint32_t n, asmk_dtype dtype, asmk_quant_granularity g) {
  asmk_quant_fp8_args a = ASMK_INIT(asmk_quant_fp8_args);
  a.m = m;
  a.n = n;
  a.in_dtype = dtype;
  a.granularity = g;
  return a;
}

struct SelectionCase {
  const char* device;
  std::uint32_t m, n;
  asmk_dtype dtype;
  asmk_quant_granularity granularity;
  const char* kernel;
  asmk_dim3 grid;
};

// Busy CUs = min(workgroups, CUs); then fewest workgroups; then masked lanes = ceil(n/npw)*npw - n; then largest n_per_wg.
const SelectionCase kCases[] = {
    // 7168 = 56*128: 128 -> 952 wgs, 256 -> 476 (both fill 304 CUs: the fewer workgroups), 512 -> 238, 1024 -> 119.
    {"MI300X", 17, 7168, ASMK_DTYPE_BF16, ASMK_QUANT_GROUP, "quant_fp8_gfx942_bf16_group_n256", {28, 17, 1}},
    // Same problem on 80 CUs: every candidate fills the device, so the fewest workgroups: the largest n_per_wg.
    {"MI308X", 17, 7168, ASMK_DTYPE_BF16, ASMK_QUANT_GROUP, "quant_fp8_gfx942_bf16_group_n1024", {7, 17, 1}},
    // n=640: n_per_wg=128 keeps the most CUs busy (5 workgroups; and masks nothing).
    {"MI300X", 1, 640, ASMK_DTYPE_BF16, ASMK_QUANT_GROUP, "quant_fp8_gfx942_bf16_group_n128", {5, 1, 1}},
    // Row: one workgroup per row (a tie); 256 and 512 mask nothing for 1536, 1024 masks 512 -> the wider 512.
    {"MI300X", 4, 1536, ASMK_DTYPE_BF16, ASMK_QUANT_ROW, "quant_fp8_gfx942_bf16_row_n512", {1, 4, 1}},
    // gfx950, n=384: 256 and 512 both mask 128; 256 gives 6 workgroups vs 3 -> 256.
    {"MI355X", 3, 384, ASMK_DTYPE_BF16, ASMK_QUANT_GROUP, "quant_fp8_gfx950_bf16_group_n256", {2, 3, 1}},
    // The only fp16 row kernel, even though it masks 896 lanes of a 128-wide row.
    {"MI300X", 5, 128, ASMK_DTYPE_FP16, ASMK_QUANT_ROW, "quant_fp8_gfx942_fp16_row_n1024", {1, 5, 1}},
    {"MI355X", 100000, 4096, ASMK_DTYPE_BF16, ASMK_QUANT_ROW, "quant_fp8_gfx950_bf16_row_n1024", {1, 100000, 1}},
};

TEST(QuantFp8Select, ChoosesByTheDocumentedRule) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.device << " m=" << c.m << " n=" << c.n);
    auto ctx = test::open_fixture(c.device);
    const auto args = problem(c.m, c.n, c.dtype, c.granularity);
    asmk_selection sel = ASMK_INIT(asmk_selection);
    ASSERT_EQ(asmk_select_quant_fp8(ctx.get(), &args, &sel), ASMK_SUCCESS) << asmk_last_error();
    EXPECT_STREQ(sel.kernel_name, c.kernel);
    EXPECT_EQ(sel.grid.x, c.grid.x);
    EXPECT_EQ(sel.grid.y, c.grid.y);
    EXPECT_EQ(sel.grid.z, c.grid.z);
    EXPECT_EQ(sel.block.x, 256u);  // contract: four wave64s
    EXPECT_EQ(sel.block.y, 1u);
    EXPECT_EQ(sel.block.z, 1u);
    ASSERT_EQ(sel.launch_count, 1u);  // the one launch, as asmk_selection lists it
    EXPECT_STREQ(sel.launches[0].kernel_name, c.kernel);
    EXPECT_EQ(sel.launches[0].grid.x, c.grid.x);
    EXPECT_EQ(sel.launches[0].block.x, 256u);
    asmk_kernel_info info{};
    ASSERT_EQ(asmk_kernel_get_info(sel.kernel, &info), ASMK_SUCCESS);
    EXPECT_STREQ(info.name, c.kernel);
    EXPECT_TRUE(test::recorded_launches(ctx.get()).empty());  // selecting launches nothing
  }
}

TEST(QuantFp8Select, ReasonIsOneExplainingLine) {
  auto ctx = test::open_fixture("MI300X");
  const auto args = problem(17, 7168, ASMK_DTYPE_BF16, ASMK_QUANT_GROUP);
  asmk_selection sel = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_select_quant_fp8(ctx.get(), &args, &sel), ASMK_SUCCESS);
  const std::string reason = sel.reason;
  EXPECT_EQ(reason.find('\n'), std::string::npos);
  for (const char* part : {"n_per_wg=256", "{128, 256, 512, 1024}", "0 masked lanes", "476 workgroups",
                           "304 CUs of MI300X", "fewest masked lanes"})
    EXPECT_NE(reason.find(part), std::string::npos) << reason << " lacks " << part;
}

class QuantFp8Launch : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx = test::open_fixture("MI300X");
    args = problem(3, 1024, ASMK_DTYPE_BF16, ASMK_QUANT_GROUP);
    args.stride_x = 1280;  // padded input rows
    x_bytes = (2 * 1280 + 1024) * 2;
    y_bytes = 3 * 1024;
    scale_bytes = 3 * 8 * 4;
    ASSERT_EQ(asmk_malloc(ctx.get(), x_bytes, &x), ASMK_SUCCESS);
    ASSERT_EQ(asmk_malloc(ctx.get(), y_bytes, &y), ASMK_SUCCESS);
    ASSERT_EQ(asmk_malloc(ctx.get(), scale_bytes, &scale), ASMK_SUCCESS);
    args.x = x;
    args.y = y;
    args.scale = static_cast<float*>(scale);
  }
  // The call fails with `status`, and nothing was launched.
  test::Outcome refused(asmk_status status) {
    const auto o = outcome(asmk_quant_fp8(ctx.get(), &args, nullptr, nullptr));
    EXPECT_EQ(o.status, status) << asmk_status_string(o.status) << ": " << o.message;
    EXPECT_TRUE(test::recorded_launches(ctx.get()).empty());
    return o;
  }
  test::ContextPtr ctx;
  asmk_quant_fp8_args args = ASMK_INIT(asmk_quant_fp8_args);
  void *x = nullptr, *y = nullptr, *scale = nullptr;
  std::size_t x_bytes = 0, y_bytes = 0, scale_bytes = 0;
};

template <typename T>
T at(const std::vector<std::byte>& bytes, std::size_t offset) {
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}

TEST_F(QuantFp8Launch, PacksTheContractArguments) {
  asmk_selection sel = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_quant_fp8(ctx.get(), &args, nullptr, &sel), ASMK_SUCCESS) << asmk_last_error();
  const auto& launches = test::recorded_launches(ctx.get());
  ASSERT_EQ(launches.size(), 1u);
  const auto& l = launches[0];
  // No candidate masks lanes of n=1024; n_per_wg=128 gives 8x3 = 24 workgroups, the most CUs busy.
  EXPECT_EQ(l.kernel, "quant_fp8_gfx942_bf16_group_n128");
  EXPECT_EQ(l.kernel, sel.kernel_name);
  EXPECT_EQ(l.symbol, l.kernel);
  EXPECT_TRUE(l.code_object_path.ends_with("gfx942/quant_fp8/quant_fp8_gfx942_bf16_group_n128.co")) << l.code_object_path;
  EXPECT_EQ(l.grid.x, 8u);
  EXPECT_EQ(l.grid.y, 3u);
  EXPECT_EQ(l.block.x, 256u);
  // Offsets as the fixture declares them (contract order x, y, scale, m, n, stride_x, stride_y).
  ASSERT_EQ(l.kernargs.size(), 40u);
  EXPECT_EQ(at<const void*>(l.kernargs, 0), x);
  EXPECT_EQ(at<const void*>(l.kernargs, 8), y);
  EXPECT_EQ(at<const void*>(l.kernargs, 16), scale);
  EXPECT_EQ(at<std::uint32_t>(l.kernargs, 24), 3u);
  EXPECT_EQ(at<std::uint32_t>(l.kernargs, 28), 1024u);
  EXPECT_EQ(at<std::uint32_t>(l.kernargs, 32), 1280u);  // given
  EXPECT_EQ(at<std::uint32_t>(l.kernargs, 36), 1024u);  // 0 means n
}

TEST_F(QuantFp8Launch, ExactlyBigEnoughBuffersPass) {
  args.x_bytes = x_bytes;
  args.y_bytes = y_bytes;
  args.scale_bytes = scale_bytes;
  EXPECT_EQ(asmk_quant_fp8(ctx.get(), &args, nullptr, nullptr), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(test::recorded_launches(ctx.get()).size(), 1u);
}

TEST_F(QuantFp8Launch, UnsupportedDtype) {
  args.in_dtype = ASMK_DTYPE_FP32;
  auto o = refused(ASMK_ERROR_UNSUPPORTED_DTYPE);
  EXPECT_TRUE(mentions(o, "in_dtype=fp32"));
  EXPECT_TRUE(mentions(o, "in_dtype can be: bf16, fp16"));
  args.in_dtype = static_cast<asmk_dtype>(42);
  o = refused(ASMK_ERROR_UNSUPPORTED_DTYPE);
  EXPECT_TRUE(mentions(o, "unknown value 42"));
}

TEST_F(QuantFp8Launch, UnsupportedShapes) {
  args.n = 1000;
  auto o = refused(ASMK_ERROR_UNSUPPORTED_SHAPE);
  EXPECT_TRUE(mentions(o, "n=1000 is not a positive multiple of 128"));
  EXPECT_TRUE(mentions(o, "896 or 1024"));
  args.n = 0;
  EXPECT_TRUE(mentions(refused(ASMK_ERROR_UNSUPPORTED_SHAPE), "has an empty dimension"));
  args.n = 1024;
  args.m = 0;
  EXPECT_TRUE(mentions(refused(ASMK_ERROR_UNSUPPORTED_SHAPE), "m=0"));
  args.m = 3;
  args.stride_y = 512;
  EXPECT_TRUE(mentions(refused(ASMK_ERROR_UNSUPPORTED_SHAPE), "stride_y=512 bytes is smaller than a row (1024 bytes of y"));
  args.stride_y = 0;
  args.granularity = static_cast<asmk_quant_granularity>(5);
  EXPECT_TRUE(mentions(refused(ASMK_ERROR_UNSUPPORTED_SHAPE), "granularity=<unknown value 5> is not supported; granularity can be: row, group"));
}

TEST_F(QuantFp8Launch, NullBuffers) {
  args.x = nullptr;
  EXPECT_TRUE(mentions(refused(ASMK_ERROR_NULL_BUFFER), "x is null"));
  args.x = x;
  args.y = nullptr;
  EXPECT_TRUE(mentions(refused(ASMK_ERROR_NULL_BUFFER), "y is null"));
  args.y = y;
  args.scale = nullptr;
  EXPECT_TRUE(mentions(refused(ASMK_ERROR_NULL_BUFFER), "scale is null"));
}

TEST_F(QuantFp8Launch, TooSmallBuffers) {
  args.x_bytes = x_bytes - 1;  // the caller's own size
  auto o = refused(ASMK_ERROR_BUFFER_TOO_SMALL);
  EXPECT_TRUE(mentions(o, "x needs 7168 bytes"));  // (2*1280 + 1024) * 2
  EXPECT_TRUE(mentions(o, "the caller gave 7167"));
  args.x_bytes = 0;
  args.scale = static_cast<float*>(scale) + 1;  // the allocation the backend knows is 4 bytes short
  o = refused(ASMK_ERROR_BUFFER_TOO_SMALL);
  EXPECT_TRUE(mentions(o, "scale needs 96 bytes (m=3 (1 if granularity == 'row' else n // 128)=8 f32)"));
  EXPECT_TRUE(mentions(o, "has 92"));
  args.scale = static_cast<float*>(scale);
  args.y = static_cast<char*>(y) + 1;  // one byte short of 3 rows
  o = refused(ASMK_ERROR_BUFFER_TOO_SMALL);
  EXPECT_TRUE(mentions(o, "y needs 3072 bytes"));
  EXPECT_TRUE(mentions(o, "has 3071"));
}

TEST_F(QuantFp8Launch, HugeShapesDoNotWrapAround) {
  // (2^32 - 2) * (2^32 - 1) + 128 elements of 2 bytes exceed 2^64: the size saturates, never wraps.
  args.m = 0xffffffffu;
  args.n = 128;
  args.stride_x = 0xffffffffu;
  const auto o = refused(ASMK_ERROR_BUFFER_TOO_SMALL);
  EXPECT_TRUE(mentions(o, "x needs 18446744073709551615 bytes"));
}

TEST_F(QuantFp8Launch, NoKernelForTheGranularityNamesWhatExists) {
  auto gfx950 = test::open_fixture("MI355X");
  args = problem(2, 1024, ASMK_DTYPE_FP16, ASMK_QUANT_ROW);  // gfx950 has fp16 group only
  asmk_selection sel = ASMK_INIT(asmk_selection);
  const auto o = outcome(asmk_select_quant_fp8(gfx950.get(), &args, &sel));
  EXPECT_EQ(o.status, ASMK_ERROR_UNSUPPORTED_DTYPE);
  EXPECT_TRUE(mentions(o, "in_dtype=fp16 granularity=row"));
  // What exists: the fp16 group kernel and the bf16 row and group kernels.
  EXPECT_TRUE(mentions(o, "what exists: in_dtype=bf16 granularity=group (2 kernels); in_dtype=bf16 granularity=row "
                          "(1 kernel); in_dtype=fp16 granularity=group (1 kernel)"));
}

TEST(QuantFp8, ArchTheRepositoryDoesNotHold) {
  // A repository with gfx942 only (a copy of the fixture's gfx942 folder).
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("asmk_only_gfx942_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(test::kRepo + "/gfx942", dir / "gfx942", fs::copy_options::recursive);
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.device = "MI355X";
  asmk_context* ctx = nullptr;
  const auto o = outcome(asmk_open(dir.c_str(), &options, &ctx));
  EXPECT_EQ(o.status, ASMK_ERROR_UNSUPPORTED_ARCH);
  EXPECT_EQ(ctx, nullptr);
  EXPECT_TRUE(mentions(o, "device MI355X is gfx950"));
  EXPECT_TRUE(mentions(o, "holds kernels for gfx942 only"));
  fs::remove_all(dir);
}

TEST(QuantFp8, SelectingNeedsADevice) {
  asmk_context* ctx = nullptr;
  ASSERT_EQ(asmk_open(test::kRepo.c_str(), nullptr, &ctx), ASMK_SUCCESS) << asmk_last_error();
  test::ContextPtr owner(ctx);
  const auto args = problem(1, 128, ASMK_DTYPE_BF16, ASMK_QUANT_ROW);
  asmk_selection sel = ASMK_INIT(asmk_selection);
  const auto o = outcome(asmk_select_quant_fp8(ctx, &args, &sel));
  EXPECT_EQ(o.status, ASMK_ERROR_NO_DEVICE);
  EXPECT_TRUE(mentions(o, "MI300X"));
}

}  // namespace
}  // namespace asmk
