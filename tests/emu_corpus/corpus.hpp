// The emulator's differential corpus: OpenCL C kernels (kernels/<name>.cl) built for gfx942 and
// gfx950, each run on the emulator and compared with a host reference written here in plain C++.
//
// Adding a kernel: write kernels/<name>.cl with one kernel called <name>, then a case
//
//   CORPUS_CASE(name) {
//     ... build inputs, ctx.upload(...), ctx.launch(grid, block, args...), compute the
//     reference per work-item, ctx.expect_same(got, want, "what");
//   }
//
// in one of the cases/*.cpp files. The test runs it once per arch.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "asmk/emu/emu.hpp"

namespace asmk::corpus {

using emu::Arch;
using emu::Dim3;

/// Number of workgroups that cover `n` items with `block` items each (the last one may be partial).
inline uint32_t cover(uint64_t n, uint32_t block) { return uint32_t((n + block - 1) / block); }

/// A small deterministic generator (splitmix64) so every run sees the same inputs.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t u32() { return uint32_t(next() >> 32); }
  /// Uniform integer in [lo, hi].
  int64_t range(int64_t lo, int64_t hi) { return lo + int64_t(next() % uint64_t(hi - lo + 1)); }
  /// Uniform float in [lo, hi).
  float uniform(float lo, float hi) { return lo + (hi - lo) * float(next() >> 40) * 0x1p-24f; }

 private:
  uint64_t state_;
};

/// What a case sees: the device, the kernel of its name for one arch, and helpers to move data,
/// launch and compare.
class Context {
 public:
  Context(Arch arch, emu::Device& device, const emu::Kernel& kernel, unsigned threads)
      : arch(arch), device_(device), kernel_(kernel), threads_(threads) {}

  const Arch arch;
  bool gfx950() const { return arch == Arch::gfx950; }

  /// Copies a host vector into a new device allocation and returns its address.
  template <class T>
  uint64_t upload(const std::vector<T>& values) {
    uint64_t address = alloc(values.size() * sizeof(T));
    if (!values.empty()) check(device_.write(address, values.data(), values.size() * sizeof(T)), "write");
    return address;
  }
  /// A zero-filled device array of `count` T.
  template <class T>
  uint64_t zeros(size_t count) {
    return alloc(count * sizeof(T));
  }
  /// A device array of `count` T, every element `value` (to see which elements a kernel leaves alone).
  template <class T>
  uint64_t filled(size_t count, T value) {
    return upload(std::vector<T>(count, value));
  }
  template <class T>
  std::vector<T> download(uint64_t address, size_t count) {
    std::vector<T> values(count);
    if (count) check(device_.read(address, values.data(), count * sizeof(T)), "read");
    return values;
  }
  emu::Device& device() { return device_; }

  /// Launches the kernel with the explicit arguments in declaration order; each is placed at the
  /// offset the code object's metadata gives it (so the host never mirrors the layout by hand).
  /// The launch runs in strict mode; any fault or strict-mode report fails the test.
  template <class... Args>
  emu::LaunchReport launch(Dim3 grid, Dim3 block, const Args&... args) {
    std::vector<std::vector<uint8_t>> values;
    (values.push_back(bytes_of(args)), ...);
    return launch_packed(grid, block, values);
  }

  /// Compares element by element; floats are compared by bits (any NaN matches any NaN).
  /// Reports the number of mismatches and the first few with their index.
  template <class T>
  void expect_same(const std::vector<T>& got, const std::vector<T>& want, const std::string& what,
                   const std::function<std::string(size_t)>& where = {}) {
    ASSERT_EQ(got.size(), want.size()) << what;
    size_t mismatches = 0;
    std::ostringstream first;
    for (size_t i = 0; i < got.size(); i++) {
      if (same(got[i], want[i])) continue;
      if (mismatches < 8)
        first << "\n  [" << i << (where ? " " + where(i) : std::string()) << "] got " << show(got[i]) << ", expected "
              << show(want[i]);
      mismatches++;
    }
    EXPECT_EQ(mismatches, 0u) << what << " (" << emu::arch_name(arch) << "): " << mismatches << " of " << got.size()
                              << " differ" << first.str();
  }

 private:
  template <class T>
  static std::vector<uint8_t> bytes_of(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>, "kernel arguments are copied bytewise");
    std::vector<uint8_t> b(sizeof(T));
    std::memcpy(b.data(), &value, sizeof(T));
    return b;
  }
  template <class T>
  static bool same(const T& a, const T& b) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a) && std::isnan(b)) return true;
      return std::memcmp(&a, &b, sizeof(T)) == 0;
    } else {
      return a == b;
    }
  }
  template <class T>
  static std::string show(const T& v) {
    std::ostringstream s;
    if constexpr (std::is_same_v<T, float>) {
      s.precision(9);
      s << v << " (0x" << std::hex << std::bit_cast<uint32_t>(v) << ")";
    } else if constexpr (std::is_same_v<T, double>) {
      s.precision(17);
      s << v << " (0x" << std::hex << std::bit_cast<uint64_t>(v) << ")";
    } else if constexpr (sizeof(T) == 1) {
      s << int(v) << " (0x" << std::hex << (unsigned(v) & 0xff) << ")";
    } else if constexpr (std::is_unsigned_v<T>) {
      s << v << " (0x" << std::hex << uint64_t(v) << ")";
    } else {
      s << v;
    }
    return s.str();
  }
  uint64_t alloc(uint64_t bytes);
  void check(const emu::Status& status, const char* what);
  emu::LaunchReport launch_packed(Dim3 grid, Dim3 block, const std::vector<std::vector<uint8_t>>& values);

  emu::Device& device_;
  const emu::Kernel& kernel_;
  unsigned threads_;  // host threads running workgroups
};

// A launch size of a case: n items in workgroups of `block` lanes.
struct Size {
  uint32_t n, block;
};

using CaseFunction = void (*)(Context&);

struct Case {
  std::string kernel;  // file kernels/<kernel>.cl (or kernels/<arch>/<kernel>.cl), kernel <kernel>
  CaseFunction run = nullptr;
  std::vector<Arch> archs;  // the archs the kernel is built for
};

/// Every registered case, in registration order.
const std::vector<Case>& cases();
bool register_case(const char* kernel, CaseFunction run, std::vector<Arch> archs);

}  // namespace asmk::corpus

/// Defines the host side of corpus kernel `kernel_name` (built for both archs); the body sees `Context& ctx`.
#define CORPUS_CASE(kernel_name) \
  CORPUS_CASE_ON_ARCHS(kernel_name, ::asmk::emu::Arch::gfx942, ::asmk::emu::Arch::gfx950)

/// The same for a kernel under kernels/<arch>/, built only for the archs listed.
#define CORPUS_CASE_ON_ARCHS(kernel_name, ...)                                                            \
  static void corpus_case_##kernel_name(::asmk::corpus::Context& ctx);                                   \
  [[maybe_unused]] static const bool corpus_registered_##kernel_name =                                   \
      ::asmk::corpus::register_case(#kernel_name, corpus_case_##kernel_name, {__VA_ARGS__});             \
  static void corpus_case_##kernel_name([[maybe_unused]] ::asmk::corpus::Context& ctx)
