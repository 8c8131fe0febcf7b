// The wait-state rules of strict mode (asmk/emu/wait_states.hpp), from both sides: each case of
// kernels/wait_states.s runs with one wait state fewer than its rule asks (one hazard report naming
// the rule) and with exactly as many (no report); the results are the same either way (the emulator
// executes in order), so the outputs are checked too. Every rule of the table has a case.
#include <algorithm>

#include "asmk/emu/wait_states.hpp"
#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

struct Case {
  const char* name;
  const char* rule;  // nullptr: no rule applies (no report with either wait)
  int expected_lane0, expected_lane40, expected_lane63;
};

const Case kCases[] = {
    {"lane_select", "valu-sgpr-lane-select", 10, 10, 10},
    {"lane_select_salu", nullptr, 10, 10, 10},
    {"valu_sgpr", "valu-sgpr-valu", 9, 7, 7},
    {"vmem_sgpr", "valu-sgpr-vmem", 1000, 1040, 1063},  // out[lane] before the store
    {"div_fmas", "valu-vcc-div-fmas", 9, 9, 9},
    {"exec_rw_lane", "valu-exec-rw-lane", 11, 11, 11},
    {"readlane_vsrc", "valu-vgpr-readlane", 6, 6, 6},
    {"trans_use", "valu-trans-use", 3, 3, 3},
    {"dst_sel_use", "valu-dst-sel-use", 1281, 1281, 1281},
    {"vgpr_dpp", "valu-vgpr-dpp", 7, 139, 162},   // lane − 1's 100 + lane; a row's lane 0 keeps 7
    {"exec_dpp", "valu-exec-dpp", 7, 139, 162},   // lanes < 8 are off
    {"m0_lds_dma", "salu-m0-lds-dma", 1000, 1040, 1063},  // out[lane] through LDS
};

class WaitStates : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    co_ = load_kernel_file("wait_states", GetParam());
    ASSERT_TRUE(co_);
    ASSERT_TRUE(co_->coverage().empty());
  }
  LaunchReport run(const std::string& name, std::vector<int32_t>& out) {
    std::vector<int32_t> init(64);
    for (int i = 0; i < 64; i++) init[i] = 1000 + i;
    uint64_t dout = upload(dev_, init);
    auto kernel = co_->find(name);
    if (!kernel.ok()) {
      ADD_FAILURE() << kernel.error();
      return {};
    }
    Dispatch d;
    d.kernel = *kernel;
    d.grid = {1, 1, 1};
    d.block = {64, 1, 1};
    d.kernargs = Kernargs().add(dout).bytes();
    LaunchOptions opt;
    opt.strict = true;
    LaunchReport r = launch(dev_, d, opt);
    out = download<int32_t>(dev_, dout, 64);
    return r;
  }
  std::shared_ptr<const CodeObject> co_;
  Device dev_;
};

TEST_P(WaitStates, OneWaitStateShortIsReportedEnoughIsNot) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    std::vector<int32_t> out;
    auto shortr = run(std::string(c.name) + "_short", out);
    ASSERT_EQ(shortr.status, LaunchStatus::ok) << describe(shortr);
    EXPECT_EQ(out[0], c.expected_lane0);
    EXPECT_EQ(out[40], c.expected_lane40);
    EXPECT_EQ(out[63], c.expected_lane63);
    if (c.rule) {
      ASSERT_EQ(shortr.strict_count, 1u) << describe(shortr);
      EXPECT_EQ(shortr.strict[0].kind, FaultKind::hazard);
      EXPECT_NE(shortr.strict[0].message.find(c.rule), std::string::npos) << shortr.strict[0].message;
    } else {
      EXPECT_EQ(shortr.strict_count, 0u) << describe(shortr);
    }
    auto ok = run(std::string(c.name) + "_ok", out);
    EXPECT_TRUE(ok.ok()) << describe(ok);
    EXPECT_EQ(ok.strict_count, 0u) << describe(ok);
    EXPECT_EQ(out[0], c.expected_lane0);
  }
}

// Every rule of the table has a case here (a rule without one would be untested from both sides).
TEST(WaitStateRules, EveryRuleHasACase) {
  for (const WaitStateRule& r : wait_state_rules())
    EXPECT_TRUE(std::any_of(std::begin(kCases), std::end(kCases), [&](const Case& c) { return c.rule && c.rule == r.id; }))
        << r.id;
}

INSTANTIATE_TEST_SUITE_P(Arches, WaitStates, ::testing::Values("gfx942", "gfx950"));

// The table holds the figures its sources give (a changed figure must change this test too).
TEST(WaitStateRules, TableHoldsTheIsaFigures) {
  auto rules = wait_state_rules();
  auto find = [&](std::string_view id) {
    auto it = std::find_if(rules.begin(), rules.end(), [&](const WaitStateRule& r) { return r.id == id; });
    EXPECT_NE(it, rules.end()) << id;
    return it == rules.end() ? -1 : it->wait_states;
  };
  EXPECT_EQ(find("valu-sgpr-lane-select"), 4);
  EXPECT_EQ(find("valu-sgpr-vmem"), 5);
  EXPECT_EQ(find("valu-vcc-div-fmas"), 4);
  EXPECT_EQ(find("valu-sgpr-valu"), 2);
  EXPECT_EQ(find("valu-exec-rw-lane"), 4);
  EXPECT_EQ(find("valu-vgpr-readlane"), 1);
  EXPECT_EQ(find("valu-trans-use"), 1);
  EXPECT_EQ(find("valu-dst-sel-use"), 1);
  EXPECT_EQ(find("valu-vgpr-dpp"), 2);
  EXPECT_EQ(find("valu-exec-dpp"), 5);
  EXPECT_EQ(find("salu-m0-lds-dma"), 1);
  EXPECT_EQ(rules.size(), 11u);
  for (const WaitStateRule& r : rules) EXPECT_FALSE(r.source.empty()) << r.id;
}

}  // namespace
}  // namespace asmk::emu::test
