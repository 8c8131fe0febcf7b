// What every kernel test needs to run generated code objects through the C ABI, so the same test
// runs on every backend: the repository's variants of a family (from the manifests), a context on
// a named device, device buffers, launches by argument name.
//
// The backend is the one asmk_open picks (ASMK_BACKEND; the emulator by default); kernel tests set
// ASMK_EMU_STRICT=1 in their ctest ENVIRONMENT so hazards, missing waits and misaligned or
// out-of-range accesses fail the launch. Code objects come from ASMK_HSACO_DIR (compiled in; the
// environment variable of the same name overrides it, e.g. for a private `asmgen build --out DIR`).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "asmk.h"

namespace asmk::test {

inline std::string hsaco_dir() {
  if (const char* dir = std::getenv("ASMK_HSACO_DIR"); dir != nullptr && *dir != '\0') return dir;
  return ASMK_HSACO_DIR;
}

// One kernel of a manifest.
struct Variant {
  std::string arch, name, family;
  nlohmann::json params;    // axis values
  nlohmann::json rules;     // the manifest's "requires" list (docs/contracts.md); empty when none
  uint32_t block = 0;       // work-items per workgroup (x)

  int param_int(const char* key) const { return params.at(key).get<int>(); }
  std::string param_str(const char* key) const { return params.at(key).get<std::string>(); }
  // The value (multiple, align or equals) of the first rule named `key`.
  uint32_t requirement(const char* key, uint32_t otherwise = 1) const {
    for (const auto& r : rules)
      if (r.value("name", "") == key)
        for (const char* field : {"multiple", "align", "equals"})
          if (r.contains(field)) return r.at(field).get<uint32_t>();
    return otherwise;
  }
};

// The variants of `family` in <hsaco>/<arch>/manifest.json, in manifest order. Fails the calling
// test (and returns none) when the manifest is missing or has no kernel of the family: a test
// must never pass because there was nothing to run.
inline std::vector<Variant> variants(const std::string& arch, const std::string& family) {
  const std::string path = hsaco_dir() + "/" + arch + "/manifest.json";
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "no manifest at " << path << " (build the kernels first)";
    return {};
  }
  const nlohmann::json manifest = nlohmann::json::parse(in);
  std::vector<Variant> out;
  for (const auto& k : manifest.at("kernels")) {
    if (k.at("family") != family) continue;
    out.push_back(Variant{arch, k.at("name"), family, k.at("params"),
                          k.value("requires", nlohmann::json::array()), k.at("workgroup_size").at(0).get<uint32_t>()});
  }
  if (out.empty()) ADD_FAILURE() << "no " << family << " kernels in " << path;
  return out;
}

// A device buffer owned by a test.
class Buffer {
 public:
  Buffer() = default;
  Buffer(asmk_context* ctx, size_t bytes) : ctx_(ctx), bytes_(bytes) {
    EXPECT_EQ(asmk_malloc(ctx, bytes, &ptr_), ASMK_SUCCESS) << asmk_last_error();
  }
  Buffer(Buffer&& other) noexcept { *this = std::move(other); }
  Buffer& operator=(Buffer&& other) noexcept {
    std::swap(ctx_, other.ctx_); std::swap(ptr_, other.ptr_); std::swap(bytes_, other.bytes_);
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { if (ptr_ != nullptr) asmk_free(ctx_, ptr_); }

  void* get() const { return ptr_; }
  size_t bytes() const { return bytes_; }

  template <class T>
  std::vector<T> download(size_t count) const {
    std::vector<T> host(count);
    EXPECT_LE(count * sizeof(T), bytes_);
    EXPECT_EQ(asmk_memcpy(ctx_, host.data(), ptr_, count * sizeof(T), ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS)
        << asmk_last_error();
    return host;
  }
  template <class T>
  std::vector<T> download() const { return download<T>(bytes_ / sizeof(T)); }

 private:
  asmk_context* ctx_ = nullptr;
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// A named kernel argument (asmk_kernarg_value with constructors).
struct Arg {
  asmk_kernarg_value value{};
  static Arg ptr(const char* name, const void* p) { Arg a; a.value.name = name; a.value.type = ASMK_VALUE_POINTER; a.value.value.pointer = p; return a; }
  static Arg ptr(const char* name, const Buffer& b) { return ptr(name, b.get()); }
  static Arg u32(const char* name, uint32_t v) { Arg a; a.value.name = name; a.value.type = ASMK_VALUE_U32; a.value.value.u32 = v; return a; }
  static Arg i32(const char* name, int32_t v) { Arg a; a.value.name = name; a.value.type = ASMK_VALUE_I32; a.value.value.i32 = v; return a; }
  static Arg u64(const char* name, uint64_t v) { Arg a; a.value.name = name; a.value.type = ASMK_VALUE_U64; a.value.value.u64 = v; return a; }
  static Arg f32(const char* name, float v) { Arg a; a.value.name = name; a.value.type = ASMK_VALUE_F32; a.value.value.f32 = v; return a; }
};

// Op arguments (asmk_op_arg) by name, in the order given: what asmk_select_op and asmk_run_op take.
// Names and choice strings are copied, so temporaries may be passed.
class OpArgs {
 public:
  OpArgs& choice(const std::string& name, const std::string& value) {
    return add(name, ASMK_VALUE_STRING, [&](asmk_value& v) { v.string = keep(value); });
  }
  OpArgs& u32(const std::string& name, uint32_t x) { return add(name, ASMK_VALUE_U32, [&](asmk_value& v) { v.u32 = x; }); }
  OpArgs& i32(const std::string& name, int32_t x) { return add(name, ASMK_VALUE_I32, [&](asmk_value& v) { v.i32 = x; }); }
  OpArgs& u64(const std::string& name, uint64_t x) { return add(name, ASMK_VALUE_U64, [&](asmk_value& v) { v.u64 = x; }); }
  OpArgs& f32(const std::string& name, float x) { return add(name, ASMK_VALUE_F32, [&](asmk_value& v) { v.f32 = x; }); }
  // A tensor or workspace: its pointer and, when known, its size in bytes (0 = not known).
  OpArgs& ptr(const std::string& name, const void* p, size_t bytes = 0) {
    add(name, ASMK_VALUE_POINTER, [&](asmk_value& v) { v.pointer = p; });
    args_.back().bytes = bytes;
    return *this;
  }
  OpArgs& ptr(const std::string& name, const Buffer& b) { return ptr(name, b.get(), b.bytes()); }

  // The argument called `name` (e.g. a workspace given once its size is known); null when absent.
  asmk_op_arg* find(const std::string& name) {
    for (asmk_op_arg& a : args_)
      if (name == a.name) return &a;
    return nullptr;
  }
  const asmk_op_arg* data() const { return args_.data(); }
  size_t size() const { return args_.size(); }

 private:
  template <class Set>
  OpArgs& add(const std::string& name, asmk_value_type type, Set set) {
    asmk_op_arg& a = args_.emplace_back();
    a.name = keep(name);
    a.type = type;
    set(a.value);
    return *this;
  }
  const char* keep(const std::string& s) { return strings_.emplace_back(s).c_str(); }  // a deque never moves them

  std::vector<asmk_op_arg> args_;
  std::deque<std::string> strings_;
};

// A context on a named device ("MI300X", "MI355X", ...) with the backend asmk_open chooses.
class Session {
 public:
  explicit Session(const char* device) {
    asmk_open_options options;
    asmk_open_options_init(&options);
    options.device = device;
    options.backend = nullptr;  // ASMK_BACKEND decides (the emulator by default)
    EXPECT_EQ(asmk_open(hsaco_dir().c_str(), &options, &ctx_), ASMK_SUCCESS) << asmk_last_error();
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() { asmk_close(ctx_); }

  asmk_context* get() const { return ctx_; }
  bool ok() const { return ctx_ != nullptr; }

  Buffer alloc(size_t bytes) { return Buffer(ctx_, bytes); }
  template <class T>
  Buffer upload(const std::vector<T>& host) {
    Buffer b(ctx_, host.size() * sizeof(T));
    EXPECT_EQ(asmk_memcpy(ctx_, b.get(), host.data(), host.size() * sizeof(T), ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS)
        << asmk_last_error();
    return b;
  }
  // A buffer filled with `byte` (e.g. a sentinel that must survive where nothing may be written).
  Buffer filled(size_t bytes, uint8_t byte) { return upload(std::vector<uint8_t>(bytes, byte)); }

  // Launches `kernel` by argument names on the grid and block of its manifest launch rule (the
  // ones the ops use) and waits for it.
  ::testing::AssertionResult launch(const std::string& kernel, std::initializer_list<Arg> args) {
    std::vector<asmk_kernarg_value> values;
    for (const Arg& a : args) values.push_back(a.value);
    asmk_dim3 grid{}, block{};
    if (asmk_kernel_launch_dims(ctx_, kernel.c_str(), values.data(), values.size(), &grid, &block) != ASMK_SUCCESS)
      return ::testing::AssertionFailure() << kernel << ": no launch: " << asmk_last_error();
    return launch(kernel, grid, block, values);
  }

  // Launches `kernel` by argument names on an explicit grid and block and waits for it.
  ::testing::AssertionResult launch(const std::string& kernel, asmk_dim3 grid, asmk_dim3 block,
                                    std::initializer_list<Arg> args) {
    std::vector<asmk_kernarg_value> values;
    for (const Arg& a : args) values.push_back(a.value);
    return launch(kernel, grid, block, values);
  }

  ::testing::AssertionResult launch(const std::string& kernel, asmk_dim3 grid, asmk_dim3 block,
                                    const std::vector<asmk_kernarg_value>& values) {
    asmk_status status = asmk_launch_kernel(ctx_, kernel.c_str(), grid, block, values.data(), values.size(), nullptr);
    if (status == ASMK_SUCCESS) status = asmk_synchronize(ctx_, nullptr);
    if (status != ASMK_SUCCESS)
      return ::testing::AssertionFailure() << kernel << ": " << asmk_status_string(status) << ": " << asmk_last_error();
    return ::testing::AssertionSuccess();
  }

 private:
  asmk_context* ctx_ = nullptr;
};

// Devices the kernel tests run on: one per arch.
struct TestDevice {
  const char* name;
  const char* arch;
};
inline constexpr TestDevice kTestDevices[] = {{"MI300X", "gfx942"}, {"MI355X", "gfx950"}};

// Whether the context's backend reads index tensors before a launch (emu, record). The GPU backends
// (hip, hsa: the kernel suites run again through them) do not: there a bad entry must be survived by
// the kernels (skipped, or at least no access outside the buffers), which the tests check instead
// (docs/op-spec.md, "Element rules").
inline bool checks_elements(const asmk_context* ctx) {
  const char* name = nullptr;
  EXPECT_EQ(asmk_backend_name(ctx, &name), ASMK_SUCCESS);
  return name != nullptr && (std::string(name) == "emu" || std::string(name) == "record");
}

}  // namespace asmk::test
