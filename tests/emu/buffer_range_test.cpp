// MUBUF range checking (kernels/buffer_range.s), expectations from the CDNA3/CDNA4 ISA guides,
// "Buffer Addressing" / "Range Checking" (the rule as emu/src/semantics/mubuf.cpp cites it):
//   add_tid = 1, idxen = 0: private (scratch) buffer, no range check;
//   idxen = 0: raw, each dword in range when offset + 4 <= num_records (num_records in bytes, also
//     when the stride is not 0), offset = VGPR offset (offen) + instruction offset;
//   idxen = 1: structured, in range when index < num_records (num_records in records);
//   soffset is never part of the check. Out of range: loads return 0, stores/atomics are dropped.
// The buffer under test holds 0x1000 + i in dword i.
#include <gtest/gtest.h>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

struct Resource {
  uint32_t stride_bits = 0;  // V# word1[31:16]: stride, cache swizzle (bit 14), swizzle enable (bit 15)
  uint32_t num_records = 0;
  uint32_t word3 = 0x00020000;  // data format 32, as production kernels set it
  uint32_t soffset = 0;
  uint32_t scale = 0;   // vaddr = lane * scale
  uint32_t second = 0;  // the offset VGPR of idxen+offen, the atomic's source
};

constexpr uint32_t kSentinel = 0xdeadbeefu;

class BufferRange : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    co_ = load_kernel_file("buffer_range", GetParam());
    ASSERT_TRUE(co_);
    ASSERT_TRUE(co_->coverage().empty());
    std::vector<uint32_t> data(buffer_dwords_);
    for (uint32_t i = 0; i < data.size(); i++) data[i] = 0x1000 + i;
    base_ = upload(dev_, data);
    out_ = upload(dev_, std::vector<uint32_t>(4 * 64, kSentinel));
  }

  LaunchReport launch_kernel(const std::string& kernel, const Resource& r) {
    Dispatch d;
    d.kernel = *co_->find(kernel);
    d.block = {64, 1, 1};
    d.kernargs = Kernargs()
                     .add(base_)
                     .add(out_)
                     .add(r.stride_bits)
                     .add(r.num_records)
                     .add(r.word3)
                     .add(r.soffset)
                     .add(r.scale)
                     .add(r.second)
                     .bytes();
    return launch(dev_, d, {.strict = true});
  }
  /// out[0..n) after running `kernel` on resource `r`.
  std::vector<uint32_t> run(const std::string& kernel, const Resource& r, size_t n = 64) {
    auto report = launch_kernel(kernel, r);
    EXPECT_TRUE(report.ok()) << describe(report);
    return download<uint32_t>(dev_, out_, n);
  }
  std::vector<uint32_t> buffer() const { return download<uint32_t>(dev_, base_, buffer_dwords_); }

  size_t buffer_dwords_ = 64 * 4096 + 64;  // room for the 18-bit stride of add_tid buffers
  std::shared_ptr<const CodeObject> co_;
  Device dev_;
  uint64_t base_ = 0, out_ = 0;
};

// The repro: stride 4, num_records 16 (bytes: idxen = 0), offen with v = 4 * lane.
TEST_P(BufferRange, OffenWithAStrideChecksTheByteOffset) {
  auto got = run("load_offen", {.stride_bits = 4, .num_records = 16, .scale = 4});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], l < 4 ? 0x1000 + l : 0u) << l;
}

TEST_P(BufferRange, StoresPastTheByteRangeAreDropped) {
  auto report = launch_kernel("store_offen", {.stride_bits = 4, .num_records = 16, .scale = 4});
  ASSERT_TRUE(report.ok()) << describe(report);
  auto got = buffer();
  for (uint32_t i = 0; i < 64; i++) EXPECT_EQ(got[i], i < 4 ? 1000 + i : 0x1000 + i) << i;
}

// soffset moves the address but not the checked offset: lanes 0-3 still pass, reading 8 bytes on.
TEST_P(BufferRange, SoffsetIsNotPartOfTheCheck) {
  auto got = run("load_offen", {.stride_bits = 4, .num_records = 16, .soffset = 8, .scale = 4});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], l < 4 ? 0x1000 + 2 + l : 0u) << l;
  // Raw (stride 0) the same: the check sees offen + offset only.
  got = run("load_offen", {.stride_bits = 0, .num_records = 16, .soffset = 8, .scale = 4});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], l < 4 ? 0x1000 + 2 + l : 0u) << l;
}

// The instruction offset is part of the check: offset:4 with num_records 4 is out of range,
// with 8 in range.
TEST_P(BufferRange, InstructionOffsetIsPartOfTheCheck) {
  auto got = run("load_off", {.stride_bits = 4, .num_records = 4});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], 0u) << l;
  got = run("load_off", {.stride_bits = 4, .num_records = 8});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], 0x1001u) << l;
}

// idxen: num_records counts records; index 0-4 of stride 8 are in range.
TEST_P(BufferRange, IdxenChecksTheIndex) {
  auto got = run("load_idxen", {.stride_bits = 8, .num_records = 5, .scale = 1});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], l < 5 ? 0x1000 + 2 * l : 0u) << l;
  // A stride of 0 with idxen still checks the index (gfx9 decides by idxen): every lane reads
  // dword 0, but only lanes 0-4 are in range.
  got = run("load_idxen", {.stride_bits = 0, .num_records = 5, .scale = 1});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], l < 5 ? 0x1000u : 0u) << l;
}

// idxen + offen: the index is checked, the offset is not (20 is past the 16-byte stride).
TEST_P(BufferRange, IdxenOffenChecksOnlyTheIndex) {
  auto got = run("load_idxen_offen", {.stride_bits = 16, .num_records = 3, .scale = 1, .second = 20});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], l < 3 ? 0x1000 + 4 * l + 5 : 0u) << l;
}

// dwordx4 at 16 * lane with num_records 24 (stride 4, offen): lane 0 in range, lane 1 has its
// first two dwords (16..23) in range and the other two not, lanes 2+ nothing.
TEST_P(BufferRange, MultiDwordLoadsAreCheckedPerDword) {
  auto got = run("load_x4_offen", {.stride_bits = 4, .num_records = 24, .scale = 16}, 4 * 64);
  for (uint32_t l = 0; l < 64; l++)
    for (uint32_t i = 0; i < 4; i++) {
      const uint32_t offset = 16 * l + 4 * i;
      EXPECT_EQ(got[4 * l + i], offset + 4 <= 24 ? 0x1000 + offset / 4 : 0u) << l << " " << i;
    }
}

// Atomics out of range change nothing and return 0.
TEST_P(BufferRange, AtomicsPastTheByteRangeAreDropped) {
  auto got = run("atomic_add_offen", {.stride_bits = 4, .num_records = 16, .scale = 4, .second = 7});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], l < 4 ? 0x1000 + l : 0u) << l;
  auto mem = buffer();
  for (uint32_t i = 0; i < 64; i++) EXPECT_EQ(mem[i], i < 4 ? 0x1000 + i + 7 : 0x1000 + i) << i;
}

// buffer_atomic_add_f32 as gfx942 / gfx950 do it (fused_moe's atomic sum, templates/moe_gemm/README.md "The atomic
// sum"): an IEEE fp32 add rounded to nearest even with denormals kept (LLVM emits the instruction for an
// atomicrmw fadd under IEEE f32 denormals on these targets, a compare-swap loop on gfx90a whose float atomics
// flush them), sc0 returns the old value, out of range nothing changes and 0 returns.
TEST_P(BufferRange, AtomicAddF32KeepsDenormalsAndReturnsTheOldValue) {
  // the buffer holds 0x1000 + i: denormals. Adding the denormal 7·2^-149 is an exact integer add of the codes.
  auto got = run("atomic_add_f32_offen", {.stride_bits = 4, .num_records = 16, .scale = 4, .second = 7});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], l < 4 ? 0x1000 + l : 0u) << l;
  auto mem = buffer();
  for (uint32_t i = 0; i < 64; i++) EXPECT_EQ(mem[i], i < 4 ? 0x1000 + i + 7 : 0x1000 + i) << i;
}
TEST_P(BufferRange, AtomicAddF32RoundsToNearestEven) {
  // 1.0 + (0x1007 + i)·2^-149: far below half an ulp of 1.0, the sum rounds back to 1.0
  auto got = run("atomic_add_f32_offen", {.stride_bits = 4, .num_records = 16, .scale = 4, .second = 0x3f800000u});
  for (uint32_t l = 0; l < 4; l++) EXPECT_EQ(got[l], 0x1000 + l) << l;
  auto mem = buffer();
  for (uint32_t i = 0; i < 4; i++) EXPECT_EQ(mem[i], 0x3f800000u) << i;
  // again: 1.0 + 1.0 = 2.0 exactly, the old value 1.0 returned
  got = run("atomic_add_f32_offen", {.stride_bits = 4, .num_records = 16, .scale = 4, .second = 0x3f800000u});
  mem = buffer();
  for (uint32_t i = 0; i < 4; i++) EXPECT_EQ(got[i], 0x3f800000u) << i;
  for (uint32_t i = 0; i < 4; i++) EXPECT_EQ(mem[i], 0x40000000u) << i;
}

// add_tid_enable without idxen is the private (scratch) buffer: no range check at all.
TEST_P(BufferRange, AddTidWithoutIdxenIsNotRangeChecked) {
  auto got = run("load_offen", {.stride_bits = 4, .num_records = 16, .word3 = 1u << 23});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], 0x1000 + l) << l;
}

// With add_tid_enable, the data format field (word3[18:15]) holds stride bits [17:14] for
// non-format MUBUF instructions: dfmt 1 + stride 4 is a stride of 16388 bytes.
TEST_P(BufferRange, AddTidExtendsTheStrideWithTheDataFormatBits) {
  auto got = run("load_offen", {.stride_bits = 4, .num_records = 0, .word3 = 1u << 23 | 1u << 15});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], 0x1000 + l * 16388 / 4) << l;
}

// add_tid_enable with idxen: the index (VGPR + lane) is checked against num_records.
TEST_P(BufferRange, AddTidWithIdxenChecksTheIndexPlusLane) {
  auto got = run("load_idxen", {.stride_bits = 4, .num_records = 10, .word3 = 1u << 23, .scale = 1});
  for (uint32_t l = 0; l < 64; l++) EXPECT_EQ(got[l], 2 * l < 10 ? 0x1000 + 2 * l : 0u) << l;
}

// Swizzled addressing (V# swizzle enable) is not emulated: a fault that says so, not silently
// linear addresses.
TEST_P(BufferRange, SwizzledResourcesFault) {
  auto report = launch_kernel("load_offen", {.stride_bits = 0x8000 | 16, .num_records = 1024, .scale = 4});
  ASSERT_EQ(report.status, LaunchStatus::faulted) << describe(report);
  EXPECT_NE(report.faults[0].message.find("swizzle"), std::string::npos) << report.faults[0].message;
}

INSTANTIATE_TEST_SUITE_P(Archs, BufferRange, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test
