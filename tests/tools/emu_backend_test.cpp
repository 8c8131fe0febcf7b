// libasmk's "emu" backend through the C ABI: device memory and its bounds, registered host
// memory, and the error paths of a launch (a fault becomes ASMK_ERROR_KERNEL_FAULT naming the
// kernel and the address; an unreadable code object; freeing what is not an allocation).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "asmk.h"
#include "asmk/ref/quant.hpp"
#include "hsaco_dir.hpp"

namespace {

namespace fs = std::filesystem;

using asmk::test::kHsaco;

struct Closer {
  void operator()(asmk_context* c) const { asmk_close(c); }
};
using Context = std::unique_ptr<asmk_context, Closer>;

Context open_emu(const std::string& repo = kHsaco, const char* device = "MI300X") {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.device = device;
  asmk_context* ctx = nullptr;
  EXPECT_EQ(asmk_open(repo.c_str(), &options, &ctx), ASMK_SUCCESS) << asmk_last_error();
  return Context(ctx);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// quant_fp8_gfx942_bf16_row_n512 on `rows` rows of 512 values (grid (1, rows, 1)).
asmk_status launch_row_quant(asmk_context* ctx, const void* x, void* y, void* scale, std::uint32_t rows = 1) {
  asmk_kernarg_value args[7] = {};
  const char* names[] = {"x", "y", "scale", "m", "n", "stride_x", "stride_y"};
  for (int i = 0; i < 7; ++i) {
    args[i].name = names[i];
    args[i].type = i < 3 ? ASMK_VALUE_POINTER : ASMK_VALUE_U32;
  }
  args[0].value.pointer = x;
  args[1].value.pointer = y;
  args[2].value.pointer = scale;
  args[3].value.u32 = rows;
  for (int i = 4; i < 7; ++i) args[i].value.u32 = 512;
  return asmk_launch_kernel(ctx, "quant_fp8_gfx942_bf16_row_n512", asmk_dim3{1, rows, 1}, asmk_dim3{256, 1, 1}, args,
                            7, nullptr);
}

TEST(EmuBackend, IsTheDefault) {
  auto ctx = open_emu();
  const char* name = nullptr;
  ASSERT_EQ(asmk_backend_name(ctx.get(), &name), ASMK_SUCCESS);
  EXPECT_STREQ(name, "emu");
}

TEST(EmuBackend, MemoryIsBoundsChecked) {
  auto ctx = open_emu();
  void* p = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 100, &p), ASMK_SUCCESS);
  std::vector<std::uint8_t> host(200, 7), back(100, 0);
  EXPECT_EQ(asmk_memcpy(ctx.get(), p, host.data(), 100, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
  EXPECT_EQ(asmk_memcpy(ctx.get(), back.data(), p, 100, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS);
  EXPECT_EQ(back, std::vector<std::uint8_t>(100, 7));
  // One byte too many, or starting inside and running past the end.
  EXPECT_EQ(asmk_memcpy(ctx.get(), p, host.data(), 101, ASMK_COPY_HOST_TO_DEVICE), ASMK_ERROR_BUFFER_TOO_SMALL);
  EXPECT_TRUE(contains(asmk_last_error(), "has 100 bytes left in its allocation, 101 asked")) << asmk_last_error();
  EXPECT_EQ(asmk_memcpy(ctx.get(), back.data(), static_cast<char*>(p) + 90, 20, ASMK_COPY_DEVICE_TO_HOST),
            ASMK_ERROR_BUFFER_TOO_SMALL);
  // A host pointer is not device memory.
  EXPECT_EQ(asmk_memcpy(ctx.get(), host.data(), back.data(), 4, ASMK_COPY_DEVICE_TO_DEVICE), ASMK_ERROR_BACKEND);
  EXPECT_TRUE(contains(asmk_last_error(), "is not memory of this context")) << asmk_last_error();
  EXPECT_EQ(asmk_free(ctx.get(), p), ASMK_SUCCESS);
  // Freed memory is gone; freeing it again, or an interior or foreign pointer, is refused.
  EXPECT_EQ(asmk_memcpy(ctx.get(), p, host.data(), 1, ASMK_COPY_HOST_TO_DEVICE), ASMK_ERROR_BACKEND);
  EXPECT_EQ(asmk_free(ctx.get(), p), ASMK_ERROR_BACKEND);
  EXPECT_TRUE(contains(asmk_last_error(), "not the start of an allocation of this context")) << asmk_last_error();
  EXPECT_EQ(asmk_free(ctx.get(), host.data()), ASMK_ERROR_BACKEND);
  EXPECT_EQ(asmk_malloc(ctx.get(), 0, &p), ASMK_ERROR_INVALID_ARGUMENT);
}

TEST(EmuBackend, RegisteredHostMemoryRunsAKernel) {
  auto ctx = open_emu();
  std::vector<std::uint16_t> x(512);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = std::uint16_t(asmk::ref::encode(asmk::ref::Format::bf16, float(i) - 200.5f, asmk::ref::Overflow::saturate));
  std::vector<std::uint8_t> y(512, 0xCD);
  float scale = -1.f;
  void *dx = nullptr, *dy = nullptr, *dscale = nullptr;
  ASSERT_EQ(asmk_register_host(ctx.get(), x.data(), x.size() * 2, &dx), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_register_host(ctx.get(), y.data(), y.size(), &dy), ASMK_SUCCESS);
  ASSERT_EQ(asmk_register_host(ctx.get(), &scale, sizeof scale, &dscale), ASMK_SUCCESS);
  void* again = nullptr;
  EXPECT_EQ(asmk_register_host(ctx.get(), &scale, sizeof scale, &again), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(asmk_last_error(), "already registered")) << asmk_last_error();
  ASSERT_EQ(launch_row_quant(ctx.get(), dx, dy, dscale), ASMK_SUCCESS) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(ctx.get(), nullptr), ASMK_SUCCESS);

  std::vector<std::uint8_t> y_ref(512);
  float scale_ref = 0;
  asmk::ref::QuantFp8Args r;
  r.arch = asmk::Arch::gfx942;
  r.x = x.data();
  r.y = y_ref.data();
  r.scale = &scale_ref;
  r.m = 1, r.n = 512, r.stride_x = 512, r.stride_y = 512;
  ASSERT_TRUE(asmk::ref::quant_fp8(r).ok());
  EXPECT_EQ(y, y_ref);  // written straight into the caller's memory
  EXPECT_EQ(std::memcmp(&scale, &scale_ref, 4), 0);

  EXPECT_EQ(asmk_free(ctx.get(), dy), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(asmk_last_error(), "asmk_unregister_host")) << asmk_last_error();
  EXPECT_EQ(asmk_unregister_host(ctx.get(), y.data()), ASMK_SUCCESS);
  EXPECT_EQ(asmk_unregister_host(ctx.get(), y.data()), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(asmk_unregister_host(ctx.get(), x.data()), ASMK_SUCCESS);
  EXPECT_EQ(asmk_unregister_host(ctx.get(), &scale), ASMK_SUCCESS);
  EXPECT_EQ(asmk_register_host(ctx.get(), nullptr, 4, &dx), ASMK_ERROR_NULL_BUFFER);
}

TEST(EmuBackend, AFaultBecomesAStatusNamingKernelAndAddress) {
  auto ctx = open_emu();
  void *x = nullptr, *scale = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 1024, &x), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 4, &scale), ASMK_SUCCESS);
  void* nowhere = reinterpret_cast<void*>(std::uintptr_t{0x5000});  // no allocation there
  const asmk_status status = launch_row_quant(ctx.get(), x, nowhere, scale);
  const std::string message = asmk_last_error();
  EXPECT_EQ(status, ASMK_ERROR_KERNEL_FAULT) << message;
  EXPECT_STREQ(asmk_status_string(ASMK_ERROR_KERNEL_FAULT), "ASMK_ERROR_KERNEL_FAULT");
  EXPECT_TRUE(contains(message, "kernel quant_fp8_gfx942_bf16_row_n512 faulted on the emulator")) << message;
  EXPECT_TRUE(contains(message, "workgroup (0,0,0) wave ")) << message;
  EXPECT_TRUE(contains(message, " lane ")) << message;
  EXPECT_TRUE(contains(message, " pc 0x")) << message;
  EXPECT_TRUE(contains(message, "address 0x50")) << message;  // the store lands at y + column
  // The context stays usable: the same kernel with a real y runs.
  void* y = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 512, &y), ASMK_SUCCESS);
  EXPECT_EQ(launch_row_quant(ctx.get(), x, y, scale), ASMK_SUCCESS) << asmk_last_error();
}

// Issue 17: a context's launches have an instruction budget (ASMK_EMU_MAX_INSTRUCTIONS, read when the
// context opens); past it the launch is a fault naming the wave and PC.
TEST(EmuBackend, InstructionBudgetFromTheEnvironment) {
  ::setenv("ASMK_EMU_MAX_INSTRUCTIONS", "64", 1);
  auto ctx = open_emu();
  ::unsetenv("ASMK_EMU_MAX_INSTRUCTIONS");
  void *x = nullptr, *y = nullptr, *scale = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 1024, &x), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 512, &y), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 4, &scale), ASMK_SUCCESS);
  EXPECT_EQ(launch_row_quant(ctx.get(), x, y, scale), ASMK_ERROR_KERNEL_FAULT);
  const std::string message = asmk_last_error();
  EXPECT_TRUE(contains(message, "runaway: kernel quant_fp8_gfx942_bf16_row_n512 workgroup (0,0,0) wave ")) << message;
  EXPECT_TRUE(contains(message, " pc 0x")) << message;
  EXPECT_TRUE(contains(message, "the launch exceeded its budget of 64 wave-instructions")) << message;
  // A context opened without the variable runs the same launch.
  auto unbounded = open_emu();
  ASSERT_EQ(asmk_malloc(unbounded.get(), 1024, &x), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(unbounded.get(), 512, &y), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(unbounded.get(), 4, &scale), ASMK_SUCCESS);
  EXPECT_EQ(launch_row_quant(unbounded.get(), x, y, scale), ASMK_SUCCESS) << asmk_last_error();

  ::setenv("ASMK_EMU_MAX_INSTRUCTIONS", "many", 1);
  asmk_open_options options;
  asmk_open_options_init(&options);
  asmk_context* refused = nullptr;
  EXPECT_EQ(asmk_open(kHsaco.c_str(), &options, &refused), ASMK_ERROR_INVALID_ARGUMENT);
  ::unsetenv("ASMK_EMU_MAX_INSTRUCTIONS");
  EXPECT_TRUE(contains(asmk_last_error(), "ASMK_EMU_MAX_INSTRUCTIONS='many' is not an instruction count"))
      << asmk_last_error();
  if (refused != nullptr) asmk_close(refused);
}

// quant_fp8 row quantization of `rows` rows of 512 values: a launch that runs for seconds on the
// emulator (grid (1, rows, 1)), to stop midway.
struct LongLaunch {
  static constexpr std::uint32_t kRows = 65536;
  void *x = nullptr, *y = nullptr, *scale = nullptr;
  explicit LongLaunch(asmk_context* ctx) {
    EXPECT_EQ(asmk_malloc(ctx, std::size_t(kRows) * 1024, &x), ASMK_SUCCESS);
    EXPECT_EQ(asmk_malloc(ctx, std::size_t(kRows) * 512, &y), ASMK_SUCCESS);
    EXPECT_EQ(asmk_malloc(ctx, std::size_t(kRows) * 4, &scale), ASMK_SUCCESS);
  }
  asmk_status run(asmk_context* ctx) const { return launch_row_quant(ctx, x, y, scale, kRows); }
};

// Issue 17: asmk_open_options bounds each launch's time; past it the launch is a fault naming the
// wave and PC where it stopped.
TEST(EmuBackend, TimeBudgetFromTheOpenOptions) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.device = "MI300X";
  options.launch_timeout_ms = 20;
  asmk_context* raw = nullptr;
  ASSERT_EQ(asmk_open(kHsaco.c_str(), &options, &raw), ASMK_SUCCESS) << asmk_last_error();
  Context ctx(raw);
  const LongLaunch launch(ctx.get());
  EXPECT_EQ(launch.run(ctx.get()), ASMK_ERROR_KERNEL_FAULT);
  const std::string message = asmk_last_error();
  EXPECT_TRUE(contains(message, "runaway: kernel quant_fp8_gfx942_bf16_row_n512 workgroup (0,")) << message;
  EXPECT_TRUE(contains(message, " pc 0x")) << message;
  EXPECT_TRUE(contains(message, "the launch exceeded its time budget of 20 ms")) << message;

  options.launch_timeout_ms = 0;  // the instruction budget from the options, too
  options.max_launch_instructions = 64;
  ASSERT_EQ(asmk_open(kHsaco.c_str(), &options, &raw), ASMK_SUCCESS) << asmk_last_error();
  Context bounded(raw);
  const LongLaunch second(bounded.get());
  EXPECT_EQ(second.run(bounded.get()), ASMK_ERROR_KERNEL_FAULT);
  EXPECT_TRUE(contains(asmk_last_error(), "the launch exceeded its budget of 64 wave-instructions")) << asmk_last_error();
}

// Issue 17: while one thread's launch runs, another thread's calls proceed (they used to wait for
// the launch's lock), and asmk_cancel stops the launch with ASMK_ERROR_CANCELLED.
TEST(EmuBackend, OtherThreadsWorkAndCancelWhileALaunchRuns) {
  auto ctx = open_emu();
  const LongLaunch launch(ctx.get());
  std::atomic<bool> finished{false};
  asmk_status status = ASMK_SUCCESS;
  std::string message;
  std::thread runner([&] {
    status = launch.run(ctx.get());
    message = asmk_last_error();  // the runner thread's own last error
    finished = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Memory calls from this thread complete while the launch still runs.
  void* other = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 4096, &other), ASMK_SUCCESS) << asmk_last_error();
  const std::uint32_t value = 42;
  ASSERT_EQ(asmk_memcpy(ctx.get(), other, &value, 4, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS) << asmk_last_error();
  std::uint32_t back = 0;
  ASSERT_EQ(asmk_memcpy(ctx.get(), &back, other, 4, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(back, 42u);
  EXPECT_EQ(asmk_free(ctx.get(), other), ASMK_SUCCESS) << asmk_last_error();
  const bool ran_meanwhile = !finished.load();
  EXPECT_EQ(asmk_cancel(ctx.get()), ASMK_SUCCESS) << asmk_last_error();
  runner.join();
  EXPECT_TRUE(ran_meanwhile) << "the launch (65536 workgroups) finished before the other thread's calls returned";
  EXPECT_EQ(status, ASMK_ERROR_CANCELLED) << message;
  EXPECT_TRUE(contains(message, "kernel quant_fp8_gfx942_bf16_row_n512 was cancelled (asmk_cancel)")) << message;
  EXPECT_TRUE(contains(message, "cancelled: kernel quant_fp8_gfx942_bf16_row_n512 workgroup (")) << message;
  EXPECT_TRUE(contains(message, " pc 0x")) << message;
  // Launches after the cancel run normally.
  void *x = nullptr, *y = nullptr, *scale = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 1024, &x), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 512, &y), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 4, &scale), ASMK_SUCCESS);
  EXPECT_EQ(launch_row_quant(ctx.get(), x, y, scale), ASMK_SUCCESS) << asmk_last_error();
  // Nothing running: cancel is a no-op.
  EXPECT_EQ(asmk_cancel(ctx.get()), ASMK_SUCCESS);
  EXPECT_EQ(asmk_cancel(nullptr), ASMK_ERROR_INVALID_ARGUMENT);
}

// The code object of a repository kernel, relative to its arch folder, as the manifest names it.
std::string code_object_file(const std::string& kernel) {
  auto ctx = open_emu();
  const asmk_kernel* k = nullptr;
  asmk_kernel_info info{};
  EXPECT_EQ(asmk_find_kernel(ctx.get(), kernel.c_str(), &k), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(asmk_kernel_get_info(k, &info), ASMK_SUCCESS) << asmk_last_error();
  return fs::relative(info.code_object, fs::path(kHsaco) / "gfx942").string();
}

// A copy of the gfx942 manifest in a temporary folder, edited by `edit`, and the row kernel's code
// object (`bytes`, or the real one when empty).
class CopiedRepository {
 public:
  CopiedRepository(const std::string& tag, const std::string& bytes, std::string (*edit)(std::string) = nullptr)
      : root_(fs::temp_directory_path() / ("asmk_emu_backend_test_" + tag + "_" + std::to_string(::getpid()))) {
    const std::string file = code_object_file("quant_fp8_gfx942_bf16_row_n512");
    fs::remove_all(root_);
    fs::create_directories((root_ / "gfx942" / file).parent_path());
    std::ifstream in(kHsaco + "/gfx942/manifest.json");
    std::string manifest{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::ofstream(root_ / "gfx942" / "manifest.json") << (edit ? edit(manifest) : manifest);
    if (bytes.empty())
      fs::copy_file(kHsaco + "/gfx942/" + file, root_ / "gfx942" / file);
    else
      std::ofstream(root_ / "gfx942" / file, std::ios::binary) << bytes;
  }
  ~CopiedRepository() { fs::remove_all(root_); }
  std::string path() const { return root_.string(); }

 private:
  fs::path root_;
};

TEST(EmuBackend, AnUnreadableCodeObjectIsNamed) {
  // The row kernel's code object cut short.
  const std::string file = code_object_file("quant_fp8_gfx942_bf16_row_n512");
  CopiedRepository repo("unreadable", "\x7f" "ELF");
  auto ctx = open_emu(repo.path());
  void *x = nullptr, *y = nullptr, *scale = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 1024, &x), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 512, &y), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 4, &scale), ASMK_SUCCESS);
  EXPECT_EQ(launch_row_quant(ctx.get(), x, y, scale), ASMK_ERROR_MISSING_CODE_OBJECT);
  const std::string message = asmk_last_error();
  EXPECT_TRUE(contains(message, "kernel quant_fp8_gfx942_bf16_row_n512: the emulator cannot load its code object"))
      << message;
  EXPECT_TRUE(contains(message, file)) << message;
}

// Several kernels share a code object and are found in it by symbol: a manifest naming a symbol the
// code object lacks gets an error naming the kernel, the file, the symbol and what the file holds.
TEST(EmuBackend, AManifestSymbolTheCodeObjectLacks) {
  CopiedRepository repo("nosymbol", "", [](std::string manifest) {
    const std::string symbol = R"("symbol": "quant_fp8_gfx942_bf16_row_n512")";
    const std::size_t at = manifest.find(symbol);
    EXPECT_NE(at, std::string::npos);
    return manifest.replace(at, symbol.size(), R"("symbol": "quant_fp8_gfx942_no_such_kernel")");
  });
  auto ctx = open_emu(repo.path());
  void *x = nullptr, *y = nullptr, *scale = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 1024, &x), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 512, &y), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 4, &scale), ASMK_SUCCESS);
  EXPECT_EQ(launch_row_quant(ctx.get(), x, y, scale), ASMK_ERROR_MISSING_CODE_OBJECT);
  const std::string message = asmk_last_error();
  EXPECT_TRUE(contains(message, "kernel quant_fp8_gfx942_bf16_row_n512: code object")) << message;
  EXPECT_TRUE(contains(message, "no kernel named 'quant_fp8_gfx942_no_such_kernel' in the code object; it has: "))
      << message;
  EXPECT_TRUE(contains(message, "quant_fp8_gfx942_bf16_row_n512")) << message;
}

TEST(EmuBackend, AManifestWhoseKernargLayoutDisagreesWithTheCodeObjectIsRefused) {
  // A copy of the gfx942 manifest whose quant_fp8_gfx942_bf16_row_n512 entry has m and n swapped:
  // packed by that manifest, the kernel would read m as n — refused before it runs.
  const fs::path repo = fs::temp_directory_path() / ("asmk_emu_layout_test_" + std::to_string(::getpid()));
  fs::remove_all(repo);
  fs::create_directories(repo / "gfx942");
  nlohmann::ordered_json manifest = nlohmann::ordered_json::parse(std::ifstream(kHsaco + "/gfx942/manifest.json"));
  for (auto& kernel : manifest["kernels"]) {
    if (kernel["name"] != "quant_fp8_gfx942_bf16_row_n512") continue;
    const fs::path file = kernel["file"].get<std::string>();
    fs::create_directories((repo / "gfx942" / file).parent_path());
    fs::copy_file(fs::path(kHsaco) / "gfx942" / file, repo / "gfx942" / file);
    for (auto& arg : kernel["kernargs"])
      if (arg["name"] == "m") arg["name"] = "n";
      else if (arg["name"] == "n") arg["name"] = "m";
  }
  std::ofstream(repo / "gfx942" / "manifest.json") << manifest.dump(1);
  {
    auto ctx = open_emu(repo.string());
    ASSERT_NE(ctx, nullptr);
    void *x = nullptr, *y = nullptr, *scale = nullptr;
    ASSERT_EQ(asmk_malloc(ctx.get(), 1024, &x), ASMK_SUCCESS);
    ASSERT_EQ(asmk_malloc(ctx.get(), 512, &y), ASMK_SUCCESS);
    ASSERT_EQ(asmk_malloc(ctx.get(), 4, &scale), ASMK_SUCCESS);
    for (int attempt = 0; attempt < 2; ++attempt) {  // refused every time, not only the first
      EXPECT_EQ(launch_row_quant(ctx.get(), x, y, scale), ASMK_ERROR_BAD_REPOSITORY);
      const std::string message = asmk_last_error();
      EXPECT_TRUE(contains(message, "kernel quant_fp8_gfx942_bf16_row_n512: the manifest's kernarg layout disagrees"))
          << message;
      EXPECT_TRUE(contains(message, "is 'n' in the manifest, 'm' in the code object")) << message;
    }
  }
  fs::remove_all(repo);
}

TEST(EmuBackend, OpPreChecksUseTheBackendsAllocationSizes) {
  auto ctx = open_emu();
  void *x = nullptr, *y = nullptr, *scale = nullptr;
  ASSERT_EQ(asmk_malloc(ctx.get(), 2 * 1024, &x), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 1024, &y), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(ctx.get(), 4, &scale), ASMK_SUCCESS);  // a group quantization needs 8 scales
  asmk_quant_fp8_args a = ASMK_INIT(asmk_quant_fp8_args);
  a.m = 1, a.n = 1024, a.in_dtype = ASMK_DTYPE_BF16, a.granularity = ASMK_QUANT_GROUP;
  a.x = x, a.y = y, a.scale = static_cast<float*>(scale);
  EXPECT_EQ(asmk_quant_fp8(ctx.get(), &a, nullptr, nullptr), ASMK_ERROR_BUFFER_TOO_SMALL);
  EXPECT_TRUE(contains(asmk_last_error(), "scale")) << asmk_last_error();
}

}  // namespace
