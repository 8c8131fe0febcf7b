// The departures table (asmk/emu/departures.hpp) stays true to the emulator: every entry names
// instructions the emulator has semantics for, ids are unique, and every entry says what it does
// and against which text.
#include <set>
#include <sstream>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

TEST(Departures, EveryEntryNamesInstructionsTheEmulatorHas) {
  const auto table = semantics_departures();
  ASSERT_GE(table.size(), 10u);
  std::set<std::string_view> ids;
  for (const SemanticsDeparture& d : table) {
    EXPECT_TRUE(ids.insert(d.id).second) << "duplicate id " << d.id;
    EXPECT_FALSE(d.what.empty()) << d.id;
    EXPECT_FALSE(d.source.empty()) << d.id;
    EXPECT_NE(departure_kind_name(d.kind), "?") << d.id;
    std::istringstream names{std::string(d.instructions)};
    int count = 0;
    for (std::string name; names >> name; count++) EXPECT_TRUE(has_semantics(name)) << d.id << ": " << name;
    EXPECT_GT(count, 0) << d.id;
  }
}

TEST(Departures, ConcernsMatchesListingLinesWhateverTheEncoding) {
  auto entry = [](std::string_view id) {
    for (const SemanticsDeparture& d : semantics_departures())
      if (d.id == id) return d;
    ADD_FAILURE() << "no entry " << id;
    return SemanticsDeparture{};
  };
  EXPECT_TRUE(concerns(entry("stochastic-rounding-bits"), "v_cvt_sr_fp8_f32 v0, v1, v2 op_sel:[0,0,1,1]"));
  EXPECT_TRUE(concerns(entry("stochastic-rounding-bits"), "v_cvt_scalef32_sr_pk_fp4_f16 v0, v1, v4, v5"));
  EXPECT_TRUE(concerns(entry("transcendental-rounding"), "v_exp_f32_e32 v1, v2"));
  EXPECT_TRUE(concerns(entry("transcendental-rounding"), "v_rcp_f32_sdwa v1, v2 src0_sel:WORD_1"));
  EXPECT_FALSE(concerns(entry("transcendental-rounding"), "v_exp_f16_e32 v1, v2"));
  EXPECT_FALSE(concerns(entry("setvskip"), "s_setprio 1"));
}

TEST(Departures, PatternsMatchOnlyWhatExists) {
  EXPECT_TRUE(has_semantics("v_smfmac_*"));
  EXPECT_TRUE(has_semantics("v_cvt_sr_fp8_f32"));
  EXPECT_FALSE(has_semantics("v_no_such_instruction"));
  EXPECT_FALSE(has_semantics("v_no_such_prefix_*"));
}

}  // namespace
}  // namespace asmk::emu::test
