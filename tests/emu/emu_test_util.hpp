// Shared helpers for the emulator tests: loading the test kernels, building kernarg blobs,
// device buffers holding host vectors.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "asmk/emu/emu.hpp"

namespace asmk::emu::test {

inline std::string kernel_path(const std::string& name, const std::string& arch) {
  return std::string(ASMK_EMU_TEST_KERNELS) + "/" + name + "_" + arch + ".co";
}

inline std::shared_ptr<const CodeObject> load_kernel_file(const std::string& name, const std::string& arch) {
  auto co = CodeObject::load_file(kernel_path(name, arch));
  EXPECT_TRUE(co.ok()) << (co.ok() ? "" : co.error());
  return co.ok() ? *co : nullptr;
}

/// Builds a kernarg segment by appending values at their natural alignment.
class Kernargs {
 public:
  template <class T>
  Kernargs& add(T v) {
    size_t align = sizeof(T);
    bytes_.resize((bytes_.size() + align - 1) / align * align);
    size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &v, sizeof(T));
    return *this;
  }
  std::vector<uint8_t> bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

template <class T>
uint64_t upload(Device& d, const std::vector<T>& v) {
  auto a = d.alloc(std::max<size_t>(1, v.size() * sizeof(T)));
  EXPECT_TRUE(a.ok());
  EXPECT_TRUE(d.write(*a, v.data(), v.size() * sizeof(T)).ok());
  return *a;
}
template <class T>
std::vector<T> download(const Device& d, uint64_t address, size_t n) {
  std::vector<T> v(n);
  EXPECT_TRUE(d.read(address, v.data(), n * sizeof(T)).ok());
  return v;
}

inline std::string describe(const LaunchReport& r) {
  std::string s = r.message;
  for (auto& f : r.faults) s += "\n  fault: " + f.to_string();
  for (auto& f : r.strict) s += "\n  strict: " + f.to_string();
  return s;
}

}  // namespace asmk::emu::test
