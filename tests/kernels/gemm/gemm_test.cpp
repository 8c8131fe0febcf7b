// The GEMM families on the emulator, against the references in ref/ (gemm.hpp) with the tolerance
// rule of ref/TOLERANCE.md. Every variant of the generated manifests (hsaco/<arch>/manifest.json)
// runs on small problems with ragged M (1, 17, 129), minimal N and K, N and K of a few tiles and
// padded row strides, in strict mode (no missing s_waitcnt, hazard, misaligned or out-of-range access).
// Beyond the tolerance check: C's padding columns keep a sentinel (nothing is written outside
// [0, M) x [0, N)), and C has no slack after its last row (a stray store past it would fault).
//
// The code objects are read from ASMK_HSACO_DIR (compiled in; the environment variable of the same
// name overrides it, e.g. to test a private `asmgen build --out DIR`).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "asmk/emu/emu.hpp"
#include "asmk/ref/gemm.hpp"
#include "asmk/ref/numeric.hpp"
#include "asmk/ref/tolerance.hpp"

namespace {

namespace emu = asmk::emu;
namespace ref = asmk::ref;
using nlohmann::json;

std::string hsaco_dir() {
  if (const char* dir = std::getenv("ASMK_HSACO_DIR"); dir != nullptr && *dir != '\0') return dir;
  return ASMK_HSACO_DIR;
}

// One kernel of a manifest: its file, parameters and kernel-argument layout.
struct Variant {
  std::string arch, name, file;
  json params;
  uint32_t kernarg_bytes = 0;
  std::map<std::string, std::pair<uint32_t, uint32_t>> kernargs;  // name -> (offset, size)
  uint32_t block = 0;
};

std::vector<Variant> variants_of(const std::string& family, const std::string& arch, std::string& error) {
  const std::string path = hsaco_dir() + "/" + arch + "/manifest.json";
  std::ifstream in(path);
  if (!in) {
    error = "cannot open " + path + " (build the kernels: cmake --build <build> --target kernels)";
    return {};
  }
  json manifest = json::parse(in, nullptr, false);
  if (manifest.is_discarded()) {
    error = path + " is not valid JSON";
    return {};
  }
  std::vector<Variant> out;
  for (const json& k : manifest.value("kernels", json::array())) {
    if (k.value("family", "") != family) continue;
    Variant v;
    v.arch = arch;
    v.name = k.at("name");
    v.file = hsaco_dir() + "/" + arch + "/" + k.at("file").get<std::string>();
    v.params = k.at("params");
    v.kernarg_bytes = k.at("resources").at("kernarg_bytes");
    v.block = k.at("workgroup_size").at(0);
    for (const json& a : k.at("kernargs")) v.kernargs[a.at("name")] = {a.at("offset"), a.at("size")};
    out.push_back(std::move(v));
  }
  for (const json& r : manifest.value("rejected", json::array()))
    if (r.value("family", "") == family)
      error += "rejected variant " + r.value("name", "?") + ": " + r.value("reason", "?") + "\n";
  return out;
}

// Kernel arguments packed by name at the offsets the manifest gives.
class Kernargs {
 public:
  explicit Kernargs(const Variant& v) : variant_(v), bytes_(v.kernarg_bytes, 0) {}
  template <class T>
  void set(const std::string& name, T value) {
    auto it = variant_.kernargs.find(name);
    ASSERT_NE(it, variant_.kernargs.end()) << variant_.name << " has no kernel argument '" << name << "'";
    ASSERT_EQ(it->second.second, sizeof(T)) << variant_.name << ": size of argument '" << name << "'";
    std::memcpy(bytes_.data() + it->second.first, &value, sizeof(T));
  }
  std::vector<uint8_t> bytes() const { return bytes_; }

 private:
  const Variant& variant_;
  std::vector<uint8_t> bytes_;
};

std::string describe(const emu::LaunchReport& report) {
  std::ostringstream s;
  s << "launch " << (report.status == emu::LaunchStatus::ok ? "ok" : "failed") << " " << report.message;
  for (const emu::Report& r : report.faults) s << "\n  fault: " << r.to_string();
  for (const emu::Report& r : report.strict) s << "\n  strict: " << r.to_string();
  return s.str();
}

struct Problem {
  uint32_t m, n, k, stride_a, stride_b, stride_c;
};

// Random fp8 codes of `format` (finite: values from normal(0, 2) saturated to the format's range);
// padding columns past K hold the largest finite value, which would spoil any sum that read them.
std::vector<uint8_t> random_fp8(ref::Format format, uint32_t rows, uint32_t cols, uint32_t stride, std::mt19937& rng) {
  std::normal_distribution<double> normal(0.0, 2.0);
  std::vector<uint8_t> out(size_t(rows) * stride);
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < stride; ++c)
      out[size_t(r) * stride + c] =
          uint8_t(ref::encode(format, c < cols ? normal(rng) : 1e9, ref::Overflow::saturate));
  return out;
}

std::vector<float> random_floats(uint32_t count, float lo, float hi, std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(lo, hi);
  std::vector<float> out(count);
  for (float& x : out) x = uniform(rng);
  return out;
}

// Rows of random bf16 values: normal(0, 1) and a few larger ones, so sums cancel and vary in size.
std::vector<uint16_t> random_bf16(uint32_t rows, uint32_t cols, uint32_t stride, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<uint16_t> out(size_t(rows) * stride);
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < stride; ++c) {
      float v = normal(rng);
      if (c % 13 == 5) v *= 64.f;
      // Padding columns past K hold huge values: reading them would spoil the result.
      out[size_t(r) * stride + c] = ref::f32_to_bf16(c < cols ? v : 3e38f);
    }
  return out;
}

// The emulated device with the kernel's buffers; C is allocated with no slack after its last row.
class Buffers {
 public:
  uint64_t upload(const void* host, size_t bytes) {
    auto address = device.alloc(bytes);
    EXPECT_TRUE(address.ok()) << address.error();
    if (!address.ok()) return 0;
    EXPECT_TRUE(device.write(*address, host, bytes).ok());
    return *address;
  }
  template <class T>
  uint64_t upload(const std::vector<T>& host) { return upload(host.data(), host.size() * sizeof(T)); }

  emu::Device device;
};

// Loads the variant's code object (failing with the instructions the emulator cannot run, if any)
// and runs it in strict mode with grid = (ceil(N / n_tile), ceil(M / m_tile)).
testing::AssertionResult launch_variant(const Variant& v, Buffers& buffers, const Kernargs& args, uint32_t m,
                                        uint32_t n) {
  const uint32_t m_tile = v.params.at("m_tile"), n_tile = v.params.at("n_tile");
  auto co = emu::CodeObject::load_file(v.file);
  if (!co.ok()) return testing::AssertionFailure() << co.error();
  auto kernel = (*co)->find(v.name);
  if (!kernel.ok()) return testing::AssertionFailure() << kernel.error();
  if (!(*kernel)->unsupported.empty()) {
    auto failure = testing::AssertionFailure() << "the emulator cannot run these instructions of " << v.name;
    for (const emu::Unsupported& u : (*kernel)->unsupported) failure << "\n  " << u.text << ": " << u.reason;
    return failure;
  }
  emu::Dispatch dispatch;
  dispatch.kernel = *kernel;
  dispatch.grid = {(n + n_tile - 1) / n_tile, (m + m_tile - 1) / m_tile, 1};  // the launch rule
  dispatch.block = {v.block, 1, 1};
  dispatch.kernargs = args.bytes();
  emu::LaunchOptions options;
  options.strict = true;
  const emu::LaunchReport report = emu::launch(buffers.device, dispatch, options);
  if (!report.ok()) return testing::AssertionFailure() << describe(report);
  return testing::AssertionSuccess();
}

// Counts bytes of C's padding columns [N, stride_c) that lost their sentinel.
size_t padding_written(const std::vector<uint8_t>& c, uint32_t m, uint32_t n, uint32_t stride_c, size_t es,
                       uint8_t sentinel) {
  size_t touched = 0;
  for (uint32_t row = 0; row < m; ++row)
    for (size_t byte = size_t(n) * es; byte < size_t(stride_c) * es; ++byte)
      touched += c[size_t(row) * stride_c * es + byte] != sentinel;
  return touched;
}

constexpr uint8_t kSentinel = 0xA5;

class GemmOnEmu : public ::testing::Test {
 protected:
  static std::vector<Variant> all_variants(const char* family) {
    std::vector<Variant> out;
    for (const char* arch : {"gfx942", "gfx950"}) {
      std::string error;
      std::vector<Variant> found = variants_of(family, arch, error);
      EXPECT_TRUE(error.empty()) << error;
      out.insert(out.end(), found.begin(), found.end());
    }
    return out;
  }

  // Runs one gemm_bf16 problem and checks C against ref::gemm_bf16.
  void run_bf16(const Variant& v, const Problem& p, uint32_t seed) {
    SCOPED_TRACE(testing::Message() << v.name << " M=" << p.m << " N=" << p.n << " K=" << p.k << " strides "
                                    << p.stride_a << "/" << p.stride_b << "/" << p.stride_c);
    const bool f32_out = v.params.at("out_dtype") == "f32";
    const uint32_t m_tile = v.params.at("m_tile"), n_tile = v.params.at("n_tile");
    const size_t es = f32_out ? 4 : 2;
    const ref::OutType out_type = f32_out ? ref::OutType::f32 : ref::OutType::bf16;

    std::mt19937 rng(seed);
    const std::vector<uint16_t> a = random_bf16(p.m, p.k, p.stride_a, rng);
    const std::vector<uint16_t> b = random_bf16(p.n, p.k, p.stride_b, rng);
    std::vector<uint8_t> c(size_t(p.m) * p.stride_c * es, kSentinel);

    Buffers buffers;
    const uint64_t dc = buffers.upload(c);
    Kernargs args(v);
    args.set("a", buffers.upload(a));
    args.set("b", buffers.upload(b));
    args.set("c", dc);
    args.set("m", p.m);
    args.set("n", p.n);
    args.set("k", p.k);
    args.set("stride_a", p.stride_a);
    args.set("stride_b", p.stride_b);
    args.set("stride_c", p.stride_c);
    ASSERT_TRUE(launch_variant(v, buffers, args, p.m, p.n));
    ASSERT_TRUE(buffers.device.read(dc, c.data(), c.size()).ok());

    ref::GemmBf16Args r;
    r.a = a.data();
    r.b = b.data();
    r.m = p.m, r.n = p.n, r.k = p.k, r.stride_a = p.stride_a, r.stride_b = p.stride_b;
    ref::GemmRef expected;
    const ref::Status status = ref::gemm_bf16(r, expected);
    ASSERT_TRUE(status.ok()) << status.error;
    const ref::ErrorSummary summary = ref::compare_output(expected, out_type, c.data(), p.stride_c);
    EXPECT_TRUE(summary.ok()) << summary.describe();

    EXPECT_EQ(padding_written(c, p.m, p.n, p.stride_c, es, kSentinel), 0u) << "bytes written in C's padding columns";
  }

  // Runs one gemm_a8w8 problem (with or without bias) and checks C against ref::gemm_a8w8.
  void run_a8w8(const Variant& v, const Problem& p, bool with_bias, uint32_t seed) {
    SCOPED_TRACE(testing::Message() << v.name << " M=" << p.m << " N=" << p.n << " K=" << p.k << " strides "
                                    << p.stride_a << "/" << p.stride_b << "/" << p.stride_c
                                    << (with_bias ? " bias" : " no bias"));
    const ref::Format format = ref::fp8_format(v.arch == "gfx942" ? asmk::Arch::gfx942 : asmk::Arch::gfx950);
    std::mt19937 rng(seed);
    const std::vector<uint8_t> a = random_fp8(format, p.m, p.k, p.stride_a, rng);
    const std::vector<uint8_t> b = random_fp8(format, p.n, p.k, p.stride_b, rng);
    const std::vector<float> scale_a = random_floats(p.m, 0.01f, 0.1f, rng);
    const std::vector<float> scale_b = random_floats(p.n, 0.01f, 0.1f, rng);
    const std::vector<float> bias = random_floats(p.n, -4.f, 4.f, rng);
    std::vector<uint8_t> c(size_t(p.m) * p.stride_c * 2, kSentinel);

    Buffers buffers;
    const uint64_t dc = buffers.upload(c);
    Kernargs args(v);
    args.set("a", buffers.upload(a));
    args.set("b", buffers.upload(b));
    args.set("c", dc);
    args.set("scale_a", buffers.upload(scale_a));
    args.set("scale_b", buffers.upload(scale_b));
    args.set("bias", with_bias ? buffers.upload(bias) : uint64_t{0});
    args.set("m", p.m);
    args.set("n", p.n);
    args.set("k", p.k);
    args.set("stride_a", p.stride_a);
    args.set("stride_b", p.stride_b);
    args.set("stride_c", p.stride_c);
    ASSERT_TRUE(launch_variant(v, buffers, args, p.m, p.n));
    ASSERT_TRUE(buffers.device.read(dc, c.data(), c.size()).ok());

    ref::GemmA8W8Args r;
    r.type = ref::Elem8::fp8(format);
    r.a = a.data();
    r.b = b.data();
    r.scale_a = scale_a.data();
    r.scale_b = scale_b.data();
    r.bias = with_bias ? bias.data() : nullptr;
    r.m = p.m, r.n = p.n, r.k = p.k, r.stride_a = p.stride_a, r.stride_b = p.stride_b;
    ref::GemmRef expected;
    const ref::Status status = ref::gemm_a8w8(r, expected);
    ASSERT_TRUE(status.ok()) << status.error;
    const ref::ErrorSummary summary = ref::compare_output(expected, ref::OutType::bf16, c.data(), p.stride_c);
    EXPECT_TRUE(summary.ok()) << summary.describe();
    EXPECT_EQ(padding_written(c, p.m, p.n, p.stride_c, 2, kSentinel), 0u) << "bytes written in C's padding columns";
  }

  // A and C rows 64 MiB apart (8 GiB tensors): the tile bases pass 2^32 bytes, so 32-bit address
  // arithmetic anywhere would read or write the wrong rows. Only the rows' used parts are written
  // (the emulator's memory is sparse); C keeps a sentinel in 8 elements past N of every row.
  void run_bf16_large_offsets(const Variant& v, uint32_t seed) {
    const Problem p{129, 40, 64, 1u << 25, 64, 1u << 25};
    SCOPED_TRACE(testing::Message() << v.name << " M=" << p.m << " N=" << p.n << " K=" << p.k
                                    << " row strides of A and C: 64 MiB");
    std::mt19937 rng(seed);
    const std::vector<uint16_t> a = random_bf16(p.m, p.k, p.k, rng);  // compact copies for the reference
    const std::vector<uint16_t> b = random_bf16(p.n, p.k, p.stride_b, rng);
    constexpr uint32_t kPad = 8;

    Buffers buffers;
    auto da = buffers.device.alloc(uint64_t(p.m) * p.stride_a * 2);
    auto dc = buffers.device.alloc(uint64_t(p.m) * p.stride_c * 2);
    ASSERT_TRUE(da.ok() && dc.ok()) << "cannot reserve 2 x 8 GiB of emulated memory";
    for (uint32_t row = 0; row < p.m; ++row) {
      ASSERT_TRUE(buffers.device.write(*da + uint64_t(row) * p.stride_a * 2, &a[size_t(row) * p.k], p.k * 2).ok());
      ASSERT_TRUE(buffers.device.fill(*dc + uint64_t(row) * p.stride_c * 2, kSentinel, (p.n + kPad) * 2).ok());
    }
    Kernargs args(v);
    args.set("a", *da);
    args.set("b", buffers.upload(b));
    args.set("c", *dc);
    args.set("m", p.m);
    args.set("n", p.n);
    args.set("k", p.k);
    args.set("stride_a", p.stride_a);
    args.set("stride_b", p.stride_b);
    args.set("stride_c", p.stride_c);
    ASSERT_TRUE(launch_variant(v, buffers, args, p.m, p.n));

    std::vector<uint8_t> c(size_t(p.m) * (p.n + kPad) * 2);  // compact: row stride n + kPad
    for (uint32_t row = 0; row < p.m; ++row)
      ASSERT_TRUE(buffers.device.read(*dc + uint64_t(row) * p.stride_c * 2, &c[size_t(row) * (p.n + kPad) * 2],
                                      (p.n + kPad) * 2).ok());
    ref::GemmBf16Args r;
    r.a = a.data();
    r.b = b.data();
    r.m = p.m, r.n = p.n, r.k = p.k, r.stride_a = p.k, r.stride_b = p.stride_b;
    ref::GemmRef expected;
    ASSERT_TRUE(ref::gemm_bf16(r, expected).ok());
    const ref::ErrorSummary summary = ref::compare_output(expected, ref::OutType::bf16, c.data(), p.n + kPad);
    EXPECT_TRUE(summary.ok()) << summary.describe();
    EXPECT_EQ(padding_written(c, p.m, p.n, p.n + kPad, 2, kSentinel), 0u) << "bytes written past column N";
  }

  const std::vector<Variant> bf16_ = all_variants("gemm_bf16");
  const std::vector<Variant> a8w8_ = all_variants("gemm_a8w8");

};

uint32_t round_up(uint32_t x, uint32_t to) { return (x + to - 1) / to * to; }

TEST_F(GemmOnEmu, Bf16EveryVariantMatchesTheReference) {
  ASSERT_EQ(bf16_.size(), 20u) << "expected 10 gemm_bf16 variants per arch (2 out dtypes x 5 tiles)";
  uint32_t seed = 1;
  for (const Variant& v : bf16_) {
    const uint32_t m_tile = v.params.at("m_tile"), n_tile = v.params.at("n_tile");
    const Problem problems[] = {
        {1, 1, 32, 32, 32, 4},                                          // minimal everything
        {17, n_tile + 3, 64, 72, 64, round_up(n_tile + 3, 4) + 4},      // N % 4 != 0, padded strides
        {129, 2 * n_tile, 96, 96, 104, 2 * n_tile},                      // 3 K steps: both LDS buffers
        {2 * m_tile, n_tile - 4, 128, 136, 128, n_tile},                // full M tiles, N tail of a tile
    };
    for (const Problem& p : problems) run_bf16(v, p, seed++);
  }
}

TEST_F(GemmOnEmu, A8W8EveryVariantMatchesTheReference) {
  ASSERT_EQ(a8w8_.size(), 10u) << "expected 5 gemm_a8w8 tile variants per arch";
  uint32_t seed = 1000;
  for (const Variant& v : a8w8_) {
    const uint32_t m_tile = v.params.at("m_tile"), n_tile = v.params.at("n_tile");
    const Problem problems[] = {
        {1, 1, 64, 64, 64, 4},                                           // minimal everything
        {17, n_tile + 3, 128, 144, 128, round_up(n_tile + 3, 4) + 4},    // N % 4 != 0, padded strides
        {129, 2 * n_tile, 192, 192, 208, 2 * n_tile},                     // 3 K steps: both LDS buffers
        {2 * m_tile, n_tile - 4, 256, 272, 256, n_tile},                 // full M tiles, N tail of a tile
    };
    bool with_bias = false;
    for (const Problem& p : problems) {
      run_a8w8(v, p, with_bias, seed++);
      with_bias = !with_bias;
    }
  }
}

TEST_F(GemmOnEmu, Bf16TensorsBeyond4GiB) {
  // The 32-row tiles keep m_tile · stride · 2 < 2^32 with 64 MiB rows (the documented limit).
  size_t tested = 0;
  for (const Variant& v : bf16_)
    if (v.params.at("m_tile") == 32 && v.params.at("out_dtype") == "bf16") {
      run_bf16_large_offsets(v, 7000 + uint32_t(tested));
      ++tested;
    }
  EXPECT_EQ(tested, 2u) << "expected gemm_bf16 bf16 m32 variants for gfx942 and gfx950";
}

}  // namespace
