// Loading code objects: descriptor fields, metadata, decoding coverage, and malformed input.
#include <fstream>
#include <iterator>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class LoaderTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LoaderTest, ReadsDescriptorAndMetadata) {
  auto co = load_kernel_file("scale_add", GetParam());
  ASSERT_TRUE(co);
  EXPECT_EQ(arch_name(co->arch()), GetParam());
  ASSERT_EQ(co->kernels().size(), 1u);
  const Kernel& k = co->kernels()[0];
  EXPECT_EQ(k.name, "scale_add");
  // Values written in scale_add.s's .amdhsa_kernel block.
  EXPECT_TRUE(k.descriptor.kernarg_segment_ptr);
  EXPECT_FALSE(k.descriptor.dispatch_ptr);
  EXPECT_TRUE(k.descriptor.workgroup_id_x);
  EXPECT_FALSE(k.descriptor.workgroup_id_y);
  EXPECT_EQ(k.descriptor.user_sgpr_count, 2u);
  EXPECT_EQ(k.descriptor.kernarg_size, 28u);
  EXPECT_EQ(k.descriptor.accum_offset, 8u);
  EXPECT_EQ(k.descriptor.group_segment_fixed_size, 0u);
  // Assembler defaults (AMDGPUUsage): f32 denormals flushed (0), f16/f64 kept (3).
  EXPECT_EQ(k.descriptor.float_denorm_mode_32, 0u);
  EXPECT_EQ(k.descriptor.float_denorm_mode_16_64, 3u);
  ASSERT_EQ(k.args.size(), 5u);
  EXPECT_EQ(k.args[0].name, "in");
  EXPECT_EQ(k.args[0].value_kind, "global_buffer");
  EXPECT_EQ(k.args[4].name, "n");
  EXPECT_EQ(k.args[4].offset, 24u);
  EXPECT_EQ(k.args[4].size, 4u);
  EXPECT_EQ(k.kernarg_segment_size, 28u);
  EXPECT_TRUE(k.unsupported.empty());
  EXPECT_TRUE(co->coverage().empty());
}

TEST_P(LoaderTest, ListingHasPcBytesAndText) {
  auto co = load_kernel_file("scale_add", GetParam());
  ASSERT_TRUE(co);
  auto listing = co->listing("scale_add");
  ASSERT_TRUE(listing.ok()) << listing.error();
  ASSERT_GE(listing->size(), 3u);
  EXPECT_EQ((*listing)[0].pc, 0u);
  EXPECT_EQ((*listing)[0].text, "s_load_dwordx4 s[4:7], s[0:1], 0x0");
  EXPECT_EQ((*listing)[0].bytes.size(), 8u);
  EXPECT_EQ((*listing)[1].pc, 8u);
  EXPECT_EQ(listing->back().text, "s_endpgm");
  auto missing = co->listing("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("scale_add"), std::string::npos);  // names what exists
}

TEST_P(LoaderTest, UnsupportedInstructionsAreListedAndFaultWhenReached) {
  auto co = load_kernel_file("unsupported", GetParam());
  ASSERT_TRUE(co);
  auto cov = co->coverage();
  ASSERT_EQ(cov.size(), 1u);
  EXPECT_EQ(cov[0].kernel, "unsupported");
  EXPECT_EQ(cov[0].pc, 0x18u);  // s_load 8 + v_lshlrev 4 + s_waitcnt 4 + global_store 8 bytes
  EXPECT_EQ(cov[0].text, "v_cubeid_f32 v2, v0, v0, v0");
  EXPECT_NE(cov[0].reason.find("v_cubeid_f32"), std::string::npos);
  auto listing = co->listing("unsupported");
  ASSERT_TRUE(listing.ok());
  int unsupported = 0;
  for (auto& line : *listing) unsupported += !line.supported;
  EXPECT_EQ(unsupported, 1);

  Device dev;
  uint64_t out = upload(dev, std::vector<uint32_t>(64, 0));
  Dispatch d;
  d.kernel = *co->find("unsupported");
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(out).bytes();
  LaunchOptions opt;
  opt.trace = true;
  auto r = launch(dev, d, opt);
  ASSERT_EQ(r.status, LaunchStatus::faulted);
  EXPECT_EQ(r.faults[0].kind, FaultKind::bad_instruction);
  EXPECT_EQ(r.faults[0].pc, 0x18u);
  EXPECT_EQ(download<uint32_t>(dev, out, 64)[63], 63u);  // the store before it ran
  // The trace has the 4 instructions that ran, with PCs and active lanes.
  ASSERT_EQ(r.traces.size(), 1u);
  ASSERT_EQ(r.traces[0].entries.size(), 4u);
  EXPECT_EQ(r.traces[0].entries[3].pc, 0x10u);
  EXPECT_EQ(r.trace_mnemonics[r.traces[0].entries[3].mnemonic_id], "global_store_dword");
  EXPECT_EQ(r.traces[0].entries[3].active_lanes, 64u);
}

INSTANTIATE_TEST_SUITE_P(Archs, LoaderTest, ::testing::Values("gfx942", "gfx950"));

TEST(Loader, RejectsGarbageAndTruncation) {
  std::vector<uint8_t> garbage(100, 0xab);
  auto r = CodeObject::load(garbage);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("ELF"), std::string::npos);

  auto bytes = read_bytes(kernel_path("scale_add", "gfx942"));
  ASSERT_GT(bytes.size(), 1000u);
  // Every truncation point gives an error or a valid object, never a crash.
  for (size_t n = 0; n < bytes.size(); n += 97) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + n);
    auto t = CodeObject::load(cut);
    if (!t.ok()) EXPECT_FALSE(t.error().empty());
  }
  // Corrupting bytes anywhere never crashes either.
  for (size_t i = 0; i < bytes.size(); i += 13) {
    auto copy = bytes;
    copy[i] ^= 0x5a;
    (void)CodeObject::load(copy);
  }
  EXPECT_FALSE(CodeObject::load_file("/nonexistent/x.co").ok());
}

TEST(Loader, FindNamesTheKernelsThatExist) {
  auto co = load_kernel_file("scale_add", "gfx942");
  ASSERT_TRUE(co);
  auto k = co->find("other");
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.error().find("scale_add"), std::string::npos);
}

}  // namespace
}  // namespace asmk::emu::test
