// The VALU wait-state rules of strict mode (asmk/emu/wait_states.hpp), from both sides: each case of
// kernels/wait_states.s runs with one wait state fewer than its rule asks (one hazard report naming
// the rule) and with exactly as many (no report); the results are the same either way (the emulator
// executes in order), so the outputs are checked too.
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
    {"exec_rw_lane", "valu-exec-rw-lane", 11, 11, 11},
    {"readlane_vsrc", "valu-vgpr-readlane", 6, 6, 6},
};

class WaitStates : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    co_ = load_kernel_file("wait_states", GetParam());
    ASSERT_TRUE(co_);
    ASSERT_TRUE(co_->coverage().empty());
  }
  LaunchReport run(const std::string& name, std::vector<int32_t>& out, bool interlocks = true) {
    std::vector<int32_t> init(64);
    for (int i = 0; i < 64; i++) init[i] = 1000 + i;
    uint64_t dout = upload(dev_, init);
    Dispatch d;
    d.kernel = *co_->find(name);
    d.grid = {1, 1, 1};
    d.block = {64, 1, 1};
    d.kernargs = Kernargs().add(dout).bytes();
    LaunchOptions opt;
    opt.strict = true;
    opt.strict_interlocks = interlocks;
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

// The opt-in rules (gfx940+ interlocks) are not checked in plain strict mode; the others are.
TEST_P(WaitStates, OptInRulesNeedStrictInterlocks) {
  for (const Case& c : kCases) {
    if (!c.rule) continue;
    SCOPED_TRACE(c.name);
    const auto rules = wait_state_rules();
    const bool opt_in = std::find_if(rules.begin(), rules.end(), [&](const WaitStateRule& r) {
                          return r.id == c.rule;
                        })->opt_in;
    std::vector<int32_t> out;
    auto r = run(std::string(c.name) + "_short", out, false);
    EXPECT_EQ(r.strict_count, opt_in ? 0u : 1u) << describe(r);
  }
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
  for (const WaitStateRule& r : rules) EXPECT_FALSE(r.source.empty()) << r.id;
  // plain strict mode checks these; the gfx940+ interlock rules are opt-in (wait_states.cpp says why)
  for (const char* id : {"valu-sgpr-lane-select", "valu-sgpr-vmem", "valu-vcc-div-fmas"})
    EXPECT_FALSE(std::find_if(rules.begin(), rules.end(), [&](const WaitStateRule& r) { return r.id == id; })->opt_in) << id;
}

}  // namespace
}  // namespace asmk::emu::test
