// The C ABI's sized structs (asmk.h, "Sized structs"; loader/src/abi.hpp): a struct is read and
// written only as far as its struct_size says; 0, too small or too large is refused naming the
// struct, with nothing selected or launched.
//
// Frozen layouts: each struct as 0.1 released it. When a field is appended to a struct in asmk.h,
// its copy here stays as it is (and its static_assert becomes `<`), so these tests keep proving
// that a caller built against the old header still works.
#include <cstddef>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "support.hpp"

namespace asmk {
namespace {

using test::outcome;

struct QuantFp8ArgsV1 {
  size_t struct_size;
  uint32_t m, n;
  asmk_dtype in_dtype;
  asmk_quant_granularity granularity;
  uint32_t stride_x, stride_y;
  const void* x;
  void* y;
  float* scale;
  size_t x_bytes, y_bytes, scale_bytes;
};
static_assert(sizeof(QuantFp8ArgsV1) == sizeof(asmk_quant_fp8_args));

struct OpenOptionsV1 {
  size_t struct_size;
  const char* device;
  const char* arch;
  uint32_t compute_units;
  const char* backend;
  int verify_sha256;
  int device_index;
};
// max_launch_instructions and launch_timeout_ms were appended after 0.1.
static_assert(sizeof(OpenOptionsV1) == offsetof(asmk_open_options, max_launch_instructions));
static_assert(sizeof(OpenOptionsV1) < sizeof(asmk_open_options));

struct MlaDecodeArgsV1 {
  size_t struct_size;
  uint32_t batch, heads, max_qlen, total_q;
  uint32_t num_pages, page_size;
  asmk_dtype q_dtype, kv_dtype;
  float scale, softcap, q_scale, kv_scale;
  uint32_t q_stride_token, q_stride_head, o_stride_token, o_stride_head;
  const void* q;
  const void* kv;
  void* o;
  float* lse;
  const int32_t* qo_indptr;
  const int32_t* kv_indptr;
  const int32_t* kv_indices;
  const int32_t* kv_last_page_len;
  uint32_t num_indices;
  const int32_t* block_table;
  const int32_t* seq_lens;
  uint32_t block_table_stride;
  void* workspace;
  size_t q_bytes, kv_bytes, o_bytes, lse_bytes, qo_indptr_bytes, kv_indptr_bytes, kv_indices_bytes,
      kv_last_page_len_bytes, block_table_bytes, seq_lens_bytes, workspace_bytes;
};
// the persistent mode's metadata (work, row_splits, ..., num_splits) was appended after 0.1.
static_assert(sizeof(MlaDecodeArgsV1) == offsetof(asmk_mla_decode_args, work));
static_assert(sizeof(MlaDecodeArgsV1) < sizeof(asmk_mla_decode_args));

struct SelectionV1 {
  size_t struct_size;
  const asmk_kernel* kernel;
  const char* kernel_name;
  asmk_dim3 grid;
  asmk_dim3 block;
  char reason[512];
  uint32_t k_splits;
  size_t workspace_bytes;
  const asmk_kernel* reduce_kernel;
  const char* reduce_kernel_name;
  const char* explain;
  size_t launch_count;
  asmk_launch_info launches[8];
};
// launches (the last field) grew from 8 slots to ASMK_MAX_LAUNCHES after 0.1 (tests/kernels/moe's
// FusedMoeChoosesItsSort runs a 9-launch plan into this layout).
static_assert(sizeof(SelectionV1) == offsetof(asmk_selection, launches) + 8 * sizeof(asmk_launch_info));
static_assert(sizeof(SelectionV1) < sizeof(asmk_selection));
static_assert(ASMK_MAX_LAUNCHES == 16);

asmk_quant_fp8_args quant_problem(std::vector<std::byte>& memory) {
  asmk_quant_fp8_args a = ASMK_INIT(asmk_quant_fp8_args);
  a.m = 4, a.n = 256, a.in_dtype = ASMK_DTYPE_BF16, a.granularity = ASMK_QUANT_ROW;
  a.x = memory.data(), a.y = memory.data() + 4096, a.scale = reinterpret_cast<float*>(memory.data() + 8192);
  return a;
}

TEST(Abi, TheFirstLayoutOfAnArgsStructIsServed) {
  const auto c = test::open_fixture();
  std::vector<std::byte> memory(16384);
  const asmk_quant_fp8_args current = quant_problem(memory);
  QuantFp8ArgsV1 old{};
  std::memcpy(&old, &current, sizeof old);
  old.struct_size = sizeof old;
  asmk_selection s = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_quant_fp8(c.get(), reinterpret_cast<const asmk_quant_fp8_args*>(&old), nullptr, &s), ASMK_SUCCESS)
      << asmk_last_error();
  EXPECT_EQ(s.struct_size, sizeof(asmk_selection));  // kept as the caller gave it
  EXPECT_EQ(s.launch_count, 1u);
  EXPECT_EQ(test::recorded_launches(c.get()).size(), 1u);
}

TEST(Abi, TheFirstLayoutOfASelectionIsServed) {
  const auto c = test::open_fixture();
  std::vector<std::byte> memory(16384);
  const asmk_quant_fp8_args a = quant_problem(memory);
  struct {
    SelectionV1 s;
    unsigned char after[64];
  } old{};
  std::memset(old.after, 0xab, sizeof old.after);
  old.s.struct_size = sizeof old.s;  // a caller of the 0.1 header
  ASSERT_EQ(asmk_quant_fp8(c.get(), &a, nullptr, reinterpret_cast<asmk_selection*>(&old.s)), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(old.s.struct_size, sizeof(SelectionV1));
  EXPECT_EQ(old.s.launch_count, 1u);
  EXPECT_STREQ(old.s.launches[0].kernel_name, old.s.kernel_name);
  for (unsigned char b : old.after) EXPECT_EQ(b, 0xab);  // nothing written past it
  old.s.struct_size = sizeof old.s - 1;
  EXPECT_EQ(asmk_select_quant_fp8(c.get(), &a, reinterpret_cast<asmk_selection*>(&old.s)), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(std::string(asmk_last_error()).find("below every layout of asmk_selection") != std::string::npos) << asmk_last_error();
}

TEST(Abi, AnArgsStructWithoutItsSizeIsRefusedNamingIt) {
  const auto c = test::open_fixture();
  std::vector<std::byte> memory(16384);
  asmk_quant_fp8_args a = quant_problem(memory);
  a.struct_size = 0;
  const auto zero = outcome(asmk_quant_fp8(c.get(), &a, nullptr, nullptr));
  EXPECT_EQ(zero.status, ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(test::mentions(zero, "asmk_quant_fp8_args.struct_size is 0: set it to sizeof(asmk_quant_fp8_args) (" +
                                       std::to_string(sizeof(asmk_quant_fp8_args)) + " bytes"));
  a.struct_size = sizeof(asmk_quant_fp8_args) + 8;  // a caller of a newer header
  const auto newer = outcome(asmk_quant_fp8(c.get(), &a, nullptr, nullptr));
  EXPECT_EQ(newer.status, ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(test::mentions(newer, "built against a newer asmk.h"));
  a.struct_size = 8;
  asmk_selection s = ASMK_INIT(asmk_selection);
  const auto tiny = outcome(asmk_select_quant_fp8(c.get(), &a, &s));
  EXPECT_EQ(tiny.status, ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(test::mentions(tiny, "below every layout of asmk_quant_fp8_args"));
  EXPECT_TRUE(test::recorded_launches(c.get()).empty());
}

TEST(Abi, ASelectionWithoutItsSizeIsRefusedBeforeAnythingIsLaunched) {
  const auto c = test::open_fixture();
  std::vector<std::byte> memory(16384);
  const asmk_quant_fp8_args a = quant_problem(memory);
  asmk_selection s{};
  const auto run = outcome(asmk_quant_fp8(c.get(), &a, nullptr, &s));
  EXPECT_EQ(run.status, ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(test::mentions(run, "asmk_selection.struct_size is 0"));
  EXPECT_TRUE(test::recorded_launches(c.get()).empty());
  EXPECT_EQ(asmk_select_quant_fp8(c.get(), &a, &s), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(asmk_quant_fp8(c.get(), &a, nullptr, nullptr), ASMK_SUCCESS) << asmk_last_error();  // no selection wanted
}

TEST(Abi, OpenOptionsAreReadAsFarAsTheirSize) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  EXPECT_EQ(options.struct_size, sizeof(asmk_open_options));
  options.device = "MI300X";
  options.backend = "record";
  OpenOptionsV1 old{};
  std::memcpy(&old, &options, sizeof old);
  old.struct_size = sizeof old;  // a caller of the 0.1 header
  asmk_context* context = nullptr;
  ASSERT_EQ(asmk_open(test::kRepo.c_str(), reinterpret_cast<const asmk_open_options*>(&old), &context), ASMK_SUCCESS)
      << asmk_last_error();
  asmk_close(context);
  options.struct_size = 0;
  const auto zero = outcome(asmk_open(test::kRepo.c_str(), &options, &context));
  EXPECT_EQ(zero.status, ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(test::mentions(zero, "asmk_open_options.struct_size is 0"));
  EXPECT_EQ(context, nullptr);
}

}  // namespace
}  // namespace asmk
