// The second OpenCL corpus (kernels/more.cl): each kernel's function recomputed on the host.
#include <climits>
#include <cmath>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class OpenClMore : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    co_ = load_kernel_file("more_cl", GetParam());
    ASSERT_TRUE(co_);
  }
  bool gfx950() const { return GetParam() == "gfx950"; }
  void run(const std::string& name, Dim3 grid, Dim3 block, std::vector<uint8_t> args) {
    Dispatch d;
    auto k = co_->find(name);
    ASSERT_TRUE(k.ok()) << k.error();
    d.kernel = *k;
    d.grid = grid;
    d.block = block;
    d.kernargs = std::move(args);
    LaunchOptions opt;
    opt.strict = true;
    auto r = launch(dev_, d, opt);
    ASSERT_TRUE(r.ok()) << name << ": " << describe(r);
  }
  template <class T>
  uint64_t buf(const std::vector<T>& v) { return upload(dev_, v); }
  template <class T>
  std::vector<T> get(uint64_t a, size_t n) { return download<T>(dev_, a, n); }

  std::shared_ptr<const CodeObject> co_;
  Device dev_;
};

TEST_P(OpenClMore, EveryInstructionIsSupported) {
  std::string missing;
  for (const Unsupported& u : co_->coverage()) missing += u.kernel + " +" + std::to_string(u.pc) + ": " + u.text + " (" + u.reason + ")\n";
  EXPECT_TRUE(missing.empty()) << missing;
}

TEST_P(OpenClMore, Select) {
  std::vector<int32_t> a(128);
  for (int i = 0; i < 128; i++) a[i] = i * 37 - 2000;
  uint64_t da = buf(a), dout = buf(std::vector<int32_t>(128));
  run("k_select", {2, 1, 1}, {64, 1, 1}, Kernargs().add(da).add(dout).bytes());
  auto out = get<int32_t>(dout, 128);
  for (int i = 0; i < 128; i++) {
    int v = a[i];
    ASSERT_EQ(out[i], v > 100 ? v - 100 : (v < -100 ? v + 100 : v * 2)) << i;
  }
}

TEST_P(OpenClMore, U64DivisionAndRemainder) {
  std::vector<uint64_t> a(64), b(64);
  for (int i = 0; i < 64; i++) {
    a[i] = 0xfedcba9876543210ull / uint64_t(i + 1) + uint64_t(i) * 977;
    b[i] = i % 3 == 0 ? uint64_t(i + 3) : (uint64_t(i) << 33) + 12345;
  }
  uint64_t da = buf(a), db = buf(b), dout = buf(std::vector<uint64_t>(128));
  run("k_u64_div", {1, 1, 1}, {64, 1, 1}, Kernargs().add(da).add(db).add(dout).bytes());
  auto out = get<uint64_t>(dout, 128);
  for (int i = 0; i < 64; i++) {
    ASSERT_EQ(out[2 * i], a[i] / b[i]) << i;
    ASSERT_EQ(out[2 * i + 1], a[i] % b[i]) << i;
  }
}

TEST_P(OpenClMore, I64MultiplyAndShifts) {
  std::vector<int64_t> a(64);
  for (int i = 0; i < 64; i++) a[i] = int64_t(i * 0x123456789ll) - (int64_t(1) << 40);
  uint64_t da = buf(a), dout = buf(std::vector<int64_t>(64));
  run("k_i64_mul_shift", {1, 1, 1}, {64, 1, 1}, Kernargs().add(da).add(dout).bytes());
  auto out = get<int64_t>(dout, 64);
  for (int i = 0; i < 64; i++) {
    uint64_t v = uint64_t(a[i]);
    uint64_t e = (v * 0x9E3779B97F4A7C15ull) ^ uint64_t(a[i] >> 7) ^ (v << 13);
    ASSERT_EQ(uint64_t(out[i]), e) << i;
  }
}

TEST_P(OpenClMore, FloatMisc) {
  std::vector<float> a(64);
  for (int i = 0; i < 64; i++) a[i] = (i - 32) * 0.37f;
  a[5] = -0.0f;
  a[6] = 1e-40f;  // denormal
  uint64_t da = buf(a), dout = buf(std::vector<float>(256));
  run("k_float_misc", {1, 1, 1}, {64, 1, 1}, Kernargs().add(da).add(dout).bytes());
  auto out = get<float>(dout, 256);
  for (int i = 0; i < 64; i++) {
    float v = a[i];
    ASSERT_EQ(out[4 * i + 0], std::floor(v) + std::ceil(v * 0.5f)) << i;
    ASSERT_EQ(out[4 * i + 1], std::fmin(v, 1.5f) * std::fmax(v, -0.5f)) << i;
    ASSERT_EQ(out[4 * i + 2], std::fabs(v) - std::trunc(v)) << i;
    ASSERT_EQ(out[4 * i + 3], std::fma(v, v, -2.0f)) << i;
  }
}

TEST_P(OpenClMore, CorrectlyRoundedSqrt) {
  std::vector<float> a(128);
  for (int i = 0; i < 128; i++) a[i] = std::ldexp(1.0f + i * 0.0173f, (i % 40) - 20);
  a[0] = 0.0f;
  a[1] = 1e-42f;
  a[2] = INFINITY;
  a[3] = 2.0f;
  uint64_t da = buf(a), dout = buf(std::vector<float>(128));
  run("k_sqrt", {2, 1, 1}, {64, 1, 1}, Kernargs().add(da).add(dout).bytes());
  auto out = get<float>(dout, 128);
  for (int i = 0; i < 128; i++) ASSERT_EQ(out[i], std::sqrt(a[i])) << a[i];
}

TEST_P(OpenClMore, Conversions) {
  std::vector<float> a(64);
  for (int i = 0; i < 64; i++) a[i] = (i - 30) * 123.456f;
  uint64_t da = buf(a), dout = buf(std::vector<int32_t>(192));
  run("k_convert", {1, 1, 1}, {64, 1, 1}, Kernargs().add(da).add(dout).bytes());
  auto out = get<int32_t>(dout, 192);
  for (int i = 0; i < 64; i++) {
    float v = a[i];
    ASSERT_EQ(out[3 * i], int32_t(v)) << i;
    ASSERT_EQ(out[3 * i + 1], int32_t(uint32_t(v < 0 ? -v : v))) << i;
    ASSERT_EQ(out[3 * i + 2], std::bit_cast<int32_t>(float(int32_t(v * 3.0f)))) << i;
  }
  std::vector<int32_t> ia(64);
  for (int i = 0; i < 64; i++) ia[i] = i * 1000003 - 30000000;
  uint64_t dia = buf(ia), dd = buf(std::vector<double>(64));
  run("k_double_convert", {1, 1, 1}, {64, 1, 1}, Kernargs().add(dia).add(dd).bytes());
  auto d = get<double>(dd, 64);
  for (int i = 0; i < 64; i++) {
    double x = double(ia[i]) * 0.125;
    ASSERT_EQ(d[i], x + double(float(x)) * 2.0) << i;
  }
}

TEST_P(OpenClMore, HalfPrecision) {
  std::vector<uint16_t> a(64), b(64);
  for (int i = 0; i < 64; i++) {
    a[i] = std::bit_cast<uint16_t>(_Float16((i % 16) * 0.25f));
    b[i] = std::bit_cast<uint16_t>(_Float16(float(i % 7) - 3.0f));
  }
  uint64_t da = buf(a), db = buf(b), dout = buf(std::vector<uint16_t>(64));
  run("k_half", {1, 1, 1}, {64, 1, 1}, Kernargs().add(da).add(db).add(dout).bytes());
  auto out = get<uint16_t>(dout, 64);
  for (int i = 0; i < 64; i++) {
    float x = float(std::bit_cast<_Float16>(a[i])), y = float(std::bit_cast<_Float16>(b[i]));
    ASSERT_EQ(out[i], std::bit_cast<uint16_t>(_Float16(x * y + 1.0f))) << i;  // x*y exact in half
  }
}

TEST_P(OpenClMore, BytesAndShorts) {
  std::vector<uint8_t> a(128);
  for (int i = 0; i < 128; i++) a[i] = uint8_t(i * 7 + 3);
  uint64_t da = buf(a), d8 = buf(std::vector<uint8_t>(128)), d16 = buf(std::vector<int16_t>(128));
  run("k_bytes", {2, 1, 1}, {64, 1, 1}, Kernargs().add(da).add(d8).add(d16).bytes());
  auto o8 = get<uint8_t>(d8, 128);
  auto o16 = get<int16_t>(d16, 128);
  for (int i = 0; i < 128; i++) {
    ASSERT_EQ(o8[i], uint8_t(a[i] * 3 + 1)) << i;
    ASSERT_EQ(o16[i], int16_t(int8_t(a[i]) * 100)) << i;
  }
}

TEST_P(OpenClMore, TwoDimensionalIds) {
  uint64_t dout = buf(std::vector<int32_t>(64 * 64, -1));
  run("k_2d", {8, 16, 1}, {8, 4, 1}, Kernargs().add(dout).bytes());
  auto out = get<int32_t>(dout, 64 * 64);
  for (int r = 0; r < 64; r++)
    for (int c = 0; c < 64; c++) ASSERT_EQ(out[r * 64 + c], r * 1000 + c) << r << "," << c;
}

TEST_P(OpenClMore, LocalAtomics) {
  std::vector<uint32_t> in(64);
  for (int i = 0; i < 64; i++) in[i] = uint32_t(i * 13 + 5);
  uint64_t din = buf(in), dout = buf(std::vector<uint32_t>(8));
  run("k_local_atomics", {1, 1, 1}, {64, 1, 1}, Kernargs().add(din).add(dout).bytes());
  uint32_t counts[8] = {};
  for (uint32_t v : in) counts[v & 7] += v;
  for (uint32_t v : in) counts[7 - (v & 3)] = std::max(counts[7 - (v & 3)], v * 3);
  auto out = get<uint32_t>(dout, 8);
  for (int k = 0; k < 8; k++) EXPECT_EQ(out[k], counts[k]) << k;
}

TEST_P(OpenClMore, GlobalMinMaxXor) {
  std::vector<int32_t> in(256);
  for (int i = 0; i < 256; i++) in[i] = int32_t(uint32_t(i) * 2654435761u);
  uint64_t din = buf(in), dout = buf(std::vector<int32_t>{INT_MAX, INT_MIN, 0});
  run("k_global_minmax", {4, 1, 1}, {64, 1, 1}, Kernargs().add(din).add(dout).bytes());
  int32_t mn = INT_MAX, mx = INT_MIN, x = 0;
  for (int v : in) { mn = std::min(mn, v); mx = std::max(mx, v); x ^= v; }
  EXPECT_EQ(get<int32_t>(dout, 3), (std::vector<int32_t>{mn, mx, x}));
}

TEST_P(OpenClMore, CompareAndSwapLoop) {
  std::vector<float> in(512);
  float expect = 0;
  for (int i = 0; i < 512; i++) { in[i] = float(i % 9); expect += in[i]; }  // exact in any order
  uint64_t din = buf(in), dsum = buf(std::vector<float>{0.0f});
  run("k_cas_float_add", {4, 1, 1}, {128, 1, 1}, Kernargs().add(din).add(dsum).bytes());
  EXPECT_EQ(get<float>(dsum, 1)[0], expect);
}

TEST_P(OpenClMore, Ballot) {
  std::vector<int32_t> in(64);
  uint64_t expect = 0;
  for (int i = 0; i < 64; i++) {
    in[i] = (i * 7) % 5 - 2;
    if (in[i] > 0) expect |= 1ull << i;
  }
  uint64_t din = buf(in), dout = buf(std::vector<uint64_t>(1));
  run("k_ballot", {1, 1, 1}, {64, 1, 1}, Kernargs().add(din).add(dout).bytes());
  EXPECT_EQ(get<uint64_t>(dout, 1)[0], expect);
}

TEST_P(OpenClMore, DppRowPrefixSum) {
  std::vector<int32_t> in(64);
  for (int i = 0; i < 64; i++) in[i] = i * 3 + 1;
  uint64_t din = buf(in), dout = buf(std::vector<int32_t>(64));
  run("k_reduce_dpp", {1, 1, 1}, {64, 1, 1}, Kernargs().add(din).add(dout).bytes());
  auto out = get<int32_t>(dout, 64);
  for (int i = 0; i < 64; i++) {
    int s = 0;
    for (int j = i & ~15; j <= i; j++) s += in[j];
    ASSERT_EQ(out[i], s) << i;
  }
}

TEST_P(OpenClMore, SwizzleQuadMode) {
  uint64_t dout = buf(std::vector<int32_t>(64));
  run("k_swizzle_quad", {1, 1, 1}, {64, 1, 1}, Kernargs().add(dout).bytes());
  auto out = get<int32_t>(dout, 64);
  for (int t = 0; t < 64; t++) ASSERT_EQ(out[t], (t & ~3) | (3 - (t & 3))) << t;
}

TEST_P(OpenClMore, Fp8Builtins) {
  const float cases[3][2] = {{1.0f, -2.0f}, {0.5f, 3.0f}, {2.0f, 0.25f}};
  // {fp8(x), fp8(y), bf8(x/2), bf8(y)}: fnuz (gfx942) and OCP (gfx950) codes from the formats.
  const uint8_t fnuz[3][4] = {{0x40, 0xc8, 0x3c, 0xc4}, {0x38, 0x4c, 0x38, 0x46}, {0x48, 0x30, 0x40, 0x38}};
  const uint8_t ocp[3][4] = {{0x38, 0xc0, 0x38, 0xc0}, {0x30, 0x44, 0x34, 0x42}, {0x40, 0x28, 0x3c, 0x34}};
  std::vector<float> in(128);
  for (int i = 0; i < 64; i++) { in[2 * i] = cases[i % 3][0]; in[2 * i + 1] = cases[i % 3][1]; }
  uint64_t din = buf(in), dout = buf(std::vector<uint32_t>(128));
  run("k_fp8", {1, 1, 1}, {64, 1, 1}, Kernargs().add(din).add(dout).bytes());
  auto out = get<uint32_t>(dout, 128);
  for (int i = 0; i < 64; i++) {
    const uint8_t* e = gfx950() ? ocp[i % 3] : fnuz[i % 3];
    uint32_t word = uint32_t(e[0]) | uint32_t(e[1]) << 8 | uint32_t(e[2]) << 16 | uint32_t(e[3]) << 24;
    ASSERT_EQ(out[2 * i], word) << i;
    ASSERT_EQ(std::bit_cast<float>(out[2 * i + 1]), cases[i % 3][1]) << i;
  }
}

TEST_P(OpenClMore, WhileLoopAndSwitch) {
  std::vector<uint32_t> in(128);
  for (int i = 0; i < 128; i++) in[i] = uint32_t(i + 1);
  uint64_t din = buf(in), dout = buf(std::vector<uint32_t>(128));
  run("k_loop_while", {2, 1, 1}, {64, 1, 1}, Kernargs().add(din).add(dout).bytes());
  auto out = get<uint32_t>(dout, 128);
  for (int i = 0; i < 128; i++) {
    uint32_t n = in[i], steps = 0;
    while (n != 1 && steps < 200) { n = (n & 1) ? 3 * n + 1 : n / 2; steps++; }
    ASSERT_EQ(out[i], steps) << i;
  }
  std::vector<int32_t> s(64);
  for (int i = 0; i < 64; i++) s[i] = i * 11 - 300;
  uint64_t ds = buf(s), dso = buf(std::vector<int32_t>(64));
  run("k_switch", {1, 1, 1}, {64, 1, 1}, Kernargs().add(ds).add(dso).bytes());
  auto so = get<int32_t>(dso, 64);
  for (int i = 0; i < 64; i++) {
    int v = s[i], r;
    switch (v & 7) {
      case 0: r = 11; break;
      case 1: r = v * 2; break;
      case 2: r = -v; break;
      case 5: r = v >> 2; break;
      default: r = 0;
    }
    ASSERT_EQ(so[i], r) << i;
  }
}

TEST_P(OpenClMore, MfmaBuiltin) {
  float A[16][16], B[16][16];
  std::vector<uint16_t> a(256), b(256);
  for (int i = 0; i < 16; i++)
    for (int k = 0; k < 16; k++) {
      A[i][k] = float((i + 2 * k) % 5) - 2.0f;
      B[i][k] = float((3 * i + k) % 7) * 0.25f;
    }
  for (int t = 0; t < 64; t++)
    for (int j = 0; j < 4; j++) {
      a[4 * t + j] = std::bit_cast<uint16_t>(_Float16(A[t % 16][4 * (t / 16) + j]));
      b[4 * t + j] = std::bit_cast<uint16_t>(_Float16(B[4 * (t / 16) + j][t % 16]));
    }
  uint64_t da = buf(a), db = buf(b), dout = buf(std::vector<float>(256));
  run("k_mfma", {1, 1, 1}, {64, 1, 1}, Kernargs().add(da).add(db).add(dout).bytes());
  auto out = get<float>(dout, 256);
  for (int t = 0; t < 64; t++)
    for (int r = 0; r < 4; r++) {
      int i = 4 * (t / 16) + r, j = t % 16;
      float e = 0;
      for (int k = 0; k < 16; k++) e += A[i][k] * B[k][j];
      ASSERT_EQ(out[r * 64 + t], e) << i << "," << j;
    }
}

TEST_P(OpenClMore, ConstantTableReachedPcRelatively) {
  const int table[16] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3};
  std::vector<uint32_t> in(64);
  for (int i = 0; i < 64; i++) in[i] = uint32_t(i * 37);
  uint64_t din = buf(in), dout = buf(std::vector<int32_t>(64));
  run("k_const_table", {1, 1, 1}, {64, 1, 1}, Kernargs().add(din).add(dout).bytes());
  auto out = get<int32_t>(dout, 64);
  for (int i = 0; i < 64; i++) ASSERT_EQ(out[i], table[in[i] & 15] * 10 + table[(in[i] >> 4) & 15]) << i;
}

TEST_P(OpenClMore, PrivateArrayInScratch) {
  EXPECT_GT((*co_->find("k_private"))->descriptor.private_segment_fixed_size, 0u);
  std::vector<int32_t> in(64);
  for (int i = 0; i < 64; i++) in[i] = i * 7 + 3;
  uint64_t din = buf(in), dout = buf(std::vector<int32_t>(64));
  run("k_private", {1, 1, 1}, {64, 1, 1}, Kernargs().add(din).add(dout).bytes());
  auto out = get<int32_t>(dout, 64);
  for (int t = 0; t < 64; t++) {
    int arr[32];
    for (int i = 0; i < 32; i++) arr[i] = in[(t + i) & 63] * i;
    int idx = in[t] & 31;
    arr[idx] += 1000;
    int s = 0;
    for (int i = 0; i < 32; i += 3) s += arr[(idx + i) & 31];
    ASSERT_EQ(out[t], s) << t;
  }
}

TEST_P(OpenClMore, CallsIntoAFunctionOutsideTheKernel) {
  std::vector<int32_t> in(64);
  for (int i = 0; i < 64; i++) in[i] = i * 977 - 20000;
  uint64_t din = buf(in), dout = buf(std::vector<int32_t>(64));
  run("k_call", {1, 1, 1}, {64, 1, 1}, Kernargs().add(din).add(dout).bytes());
  auto out = get<int32_t>(dout, 64);
  auto helper = [](int x, int y) { return x * y - (x >> 2); };
  for (int t = 0; t < 64; t++) ASSERT_EQ(out[t], helper(in[t], t + 3) + helper(t, 7)) << t;
}

INSTANTIATE_TEST_SUITE_P(Archs, OpenClMore, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test
