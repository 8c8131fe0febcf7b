// OpenCL C kernels (kernels/basic.cl) compiled by clang-22, run on the emulator and compared
// with the same functions computed here on the host.
#include <cmath>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class OpenCl : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    co_ = load_kernel_file("basic_cl", GetParam());
    ASSERT_TRUE(co_);
  }
  LaunchReport run(const std::string& name, Dim3 grid, Dim3 block, std::vector<uint8_t> args) {
    Dispatch d;
    auto k = co_->find(name);
    EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error());
    d.kernel = *k;
    d.grid = grid;
    d.block = block;
    d.kernargs = std::move(args);
    LaunchOptions opt;
    opt.strict = true;
    auto r = launch(dev_, d, opt);
    EXPECT_TRUE(r.ok()) << name << ": " << describe(r);
    return r;
  }
  std::shared_ptr<const CodeObject> co_;
  Device dev_;
};

TEST_P(OpenCl, EveryInstructionIsSupported) {
  std::string missing;
  for (const Unsupported& u : co_->coverage()) missing += u.kernel + " +" + std::to_string(u.pc) + ": " + u.text + " (" + u.reason + ")\n";
  EXPECT_TRUE(missing.empty()) << missing;
}

TEST_P(OpenCl, Saxpy) {
  const uint32_t n = 777;
  std::vector<float> x(n), y(n);
  for (uint32_t i = 0; i < n; i++) { x[i] = 0.1f * float(i) - 3.0f; y[i] = float(i % 13) - 6.5f; }
  uint64_t dx = upload(dev_, x), dy = upload(dev_, y);
  run("saxpy", {(n + 127) / 128, 1, 1}, {128, 1, 1}, Kernargs().add(dx).add(dy).add(2.5f).add(n).bytes());
  auto out = download<float>(dev_, dy, n);
  // clang contracts a*x+y into one fma.
  for (uint32_t i = 0; i < n; i++) ASSERT_EQ(out[i], std::fma(2.5f, x[i], y[i])) << i;
}

TEST_P(OpenCl, IntegerOps) {
  const uint32_t n = 300;
  std::vector<int32_t> a(n), b(n);
  for (uint32_t i = 0; i < n; i++) {
    a[i] = int32_t(i * 2654435761u);
    b[i] = (i % 7 == 0) ? 0 : int32_t(i * 40503u) - 5000000;
  }
  b[1] = -1;
  a[1] = INT32_MIN + 1;
  uint64_t da = upload(dev_, a), db = upload(dev_, b), dout = upload(dev_, std::vector<int32_t>(8 * n, 0));
  run("int_ops", {(n + 63) / 64, 1, 1}, {64, 1, 1}, Kernargs().add(da).add(db).add(dout).add(n).bytes());
  auto out = download<int32_t>(dev_, dout, 8 * n);
  for (uint32_t i = 0; i < n; i++) {
    int32_t x = a[i], y = b[i];
    int32_t expect[8] = {int32_t(uint32_t(x) * uint32_t(y)),
                         y != 0 ? x / y : 0,
                         y != 0 ? x % y : 0,
                         int32_t((uint32_t(x) << (y & 31)) ^ (uint32_t(x) >> 3)),
                         std::min(x, y),
                         int32_t((int64_t(x) * int64_t(y)) >> 32),
                         __builtin_popcount(uint32_t(x)) + __builtin_clz(uint32_t(y) | 1),
                         x > 0 ? x : int32_t(0u - uint32_t(x))};
    for (int k = 0; k < 8; k++) ASSERT_EQ(out[8 * i + k], expect[k]) << "i=" << i << " k=" << k;
  }
}

TEST_P(OpenCl, FloatDivisionIsCorrectlyRounded) {
  std::vector<float> a, b;
  const float specials[] = {1.0f, -3.0f, 7.0f, 1e-38f, 3e38f, 0.0f, -0.0f, INFINITY, 1.17549435e-38f, 1e-45f, 123.456f};
  for (float x : specials)
    for (float y : specials) { a.push_back(x); b.push_back(y); }
  for (int i = 0; i < 500; i++) { a.push_back(std::ldexp(1.0f + i * 0.37f, (i % 60) - 30)); b.push_back(std::ldexp(3.0f - i * 0.011f, (i % 17) - 8)); }
  const uint32_t n = uint32_t(a.size());
  uint64_t da = upload(dev_, a), db = upload(dev_, b), dout = upload(dev_, std::vector<float>(n, 0.0f));
  run("float_div", {(n + 63) / 64, 1, 1}, {64, 1, 1}, Kernargs().add(da).add(db).add(dout).add(n).bytes());
  auto out = download<float>(dev_, dout, n);
  for (uint32_t i = 0; i < n; i++) {
    float expect = a[i] / b[i];
    if (std::isnan(expect)) ASSERT_TRUE(std::isnan(out[i])) << i;
    else ASSERT_EQ(out[i], expect) << a[i] << " / " << b[i];
  }
}

TEST_P(OpenCl, DoubleOps) {
  const uint32_t n = 100;
  std::vector<double> a(n), b(n);
  for (uint32_t i = 0; i < n; i++) { a[i] = (double(i) - 50.5) * 1.25; b[i] = 0.75 + i * 0.5; }
  uint64_t da = upload(dev_, a), db = upload(dev_, b), dout = upload(dev_, std::vector<double>(n, 0.0));
  run("double_ops", {2, 1, 1}, {64, 1, 1}, Kernargs().add(da).add(db).add(dout).add(n).bytes());
  auto out = download<double>(dev_, dout, n);
  for (uint32_t i = 0; i < n; i++) {
    double expect = a[i] * b[i] + std::sqrt(std::fabs(a[i])) - a[i] / b[i];
    ASSERT_NEAR(out[i], expect, 1e-12 * std::max(1.0, std::fabs(expect))) << i;
  }
}

TEST_P(OpenCl, DivergentLoops) {
  const uint32_t n = 256;
  std::vector<int32_t> a(n);
  for (uint32_t i = 0; i < n; i++) a[i] = int32_t(i * 7919u);
  uint64_t da = upload(dev_, a), dout = upload(dev_, std::vector<int32_t>(n, 0));
  run("divergent", {2, 1, 1}, {128, 1, 1}, Kernargs().add(da).add(dout).add(n).bytes());
  auto out = download<int32_t>(dev_, dout, n);
  for (uint32_t i = 0; i < n; i++) {
    int32_t v = a[i], acc = 0;
    for (int k = 0; k < (v & 15); k++) acc = (k & 1) ? int32_t(uint32_t(acc) + uint32_t(k * v)) : acc - k;
    ASSERT_EQ(out[i], acc) << i;
  }
}

TEST_P(OpenCl, LdsAndBarrierAcrossWaves) {
  std::vector<int32_t> in(512);
  for (int i = 0; i < 512; i++) in[i] = i * 3 - 100;
  uint64_t din = upload(dev_, in), dout = upload(dev_, std::vector<int32_t>(512, 0));
  auto r = run("lds_reverse", {2, 1, 1}, {256, 1, 1}, Kernargs().add(din).add(dout).bytes());
  auto out = download<int32_t>(dev_, dout, 512);
  for (int g = 0; g < 2; g++)
    for (int t = 0; t < 256; t++) ASSERT_EQ(out[g * 256 + t], in[g * 256 + 255 - t] + in[g * 256 + ((t + 1) & 255)]);
  EXPECT_GT(r.stats.lds_bytes_written, 0u);
  EXPECT_EQ(r.stats.lds_bytes, 1024u);
}

TEST_P(OpenCl, GlobalAtomics) {
  const uint32_t n = 1000;
  std::vector<uint32_t> in(n);
  std::vector<uint32_t> expect(16, 0);
  for (uint32_t i = 0; i < n; i++) { in[i] = i * 31 + 7; expect[in[i] & 15]++; }
  uint64_t din = upload(dev_, in), dh = upload(dev_, std::vector<uint32_t>(16, 0));
  run("atomic_hist", {(n + 255) / 256, 1, 1}, {256, 1, 1}, Kernargs().add(din).add(dh).add(n).bytes());
  EXPECT_EQ(download<uint32_t>(dev_, dh, 16), expect);
}

TEST_P(OpenCl, LaneOps) {
  uint64_t dout = upload(dev_, std::vector<int32_t>(4 * 64, 0));
  run("lane_ops", {1, 1, 1}, {64, 1, 1}, Kernargs().add(dout).bytes());
  auto out = download<int32_t>(dev_, dout, 256);
  for (int t = 0; t < 64; t++) {
    EXPECT_EQ(out[4 * t + 0], 1) << t;                       // lane 0's value
    EXPECT_EQ(out[4 * t + 1], 17 * 3 + 1) << t;              // lane 17's value
    EXPECT_EQ(out[4 * t + 2], t) << t;                       // lanes below this one
    EXPECT_EQ(out[4 * t + 3], ((t + 5) & 63) * 3 + 1) << t;  // pulled from lane t+5
  }
}

TEST_P(OpenCl, DppAndSwizzle) {
  uint64_t dout = upload(dev_, std::vector<int32_t>(4 * 64, 0));
  run("dpp_ops", {1, 1, 1}, {64, 1, 1}, Kernargs().add(dout).bytes());
  auto out = download<int32_t>(dev_, dout, 256);
  for (int t = 0; t < 64; t++) {
    int row_lane = t & 15;
    EXPECT_EQ(out[4 * t + 0], ((t & ~3) | (3 - (t & 3))) * 10) << t;          // quad_perm [3,2,1,0]
    EXPECT_EQ(out[4 * t + 1], row_lane >= 1 ? (t - 1) * 10 : -1) << t;          // row_shr:1, old value at row start
    EXPECT_EQ(out[4 * t + 2], row_lane <= 14 ? (t + 1) * 10 : 0) << t;          // row_shl:1, bound_ctrl zero
    EXPECT_EQ(out[4 * t + 3], (t ^ 1) * 10) << t;                              // swizzle xor 1
  }
}

INSTANTIATE_TEST_SUITE_P(Archs, OpenCl, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test
