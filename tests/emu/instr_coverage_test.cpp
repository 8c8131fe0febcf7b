// kernels/instr_coverage.s holds every instruction and modifier added for issue 10 once; the
// emulator must support all of them (CodeObject::coverage() is what `asmk info --emu-coverage`
// prints), and each line must decode as one instruction (none merged or skipped).
#include <algorithm>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class InstrCoverage : public ::testing::TestWithParam<std::string> {};

TEST_P(InstrCoverage, EveryNewInstructionIsSupported) {
  auto co = load_kernel_file("instr_coverage", GetParam());
  ASSERT_TRUE(co);
  for (const Unsupported& u : co->coverage()) ADD_FAILURE() << u.text << ": " << u.reason;
  auto listing = co->listing("instr_coverage");
  ASSERT_TRUE(listing.ok()) << listing.error();
  // 25 instructions on both arches, 42 more on gfx950, and s_endpgm.
  EXPECT_EQ(listing->size(), GetParam() == "gfx950" ? 68u : 26u);
  int newbcast = 0, smfmac = 0;
  for (const ListingLine& line : *listing) {
    EXPECT_TRUE(line.supported) << line.text;
    newbcast += line.text.find("row_newbcast:") != std::string::npos;
    smfmac += line.text.starts_with("v_smfmac_");
  }
  EXPECT_EQ(newbcast, 4);
  EXPECT_EQ(smfmac, GetParam() == "gfx950" ? 28 : 14);
}

INSTANTIATE_TEST_SUITE_P(Arches, InstrCoverage, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test
