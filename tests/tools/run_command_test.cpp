// `asmk run` on generated quant_fp8 code objects: inputs written to files, outputs read back and
// compared bit for bit with ref::quant_fp8 — once with arguments by metadata name, once replaying
// a raw kernarg blob whose pointers are patched — and its refusals. Then foreign code objects from
// the emulator's test kernels: OpenCL C without argument names (arguments by index) and a code
// object without a metadata note (--kernarg only).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "asmk.h"
#include "asmk/ref/quant.hpp"
#include "hsaco_dir.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kAsmk = ASMK_CLI_PATH;
using asmk::test::kHsaco;
const std::string kEmuKernels = ASMK_EMU_TEST_KERNELS;

// The code object of a repository kernel as its manifest names it (several kernels share one .co).
std::string code_object_of(const std::string& kernel) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.backend = "record";
  asmk_context* ctx = nullptr;
  std::string file;
  if (asmk_open(kHsaco.c_str(), &options, &ctx) == ASMK_SUCCESS) {
    const asmk_kernel* k = nullptr;
    asmk_kernel_info info{};
    if (asmk_find_kernel(ctx, kernel.c_str(), &k) == ASMK_SUCCESS && asmk_kernel_get_info(k, &info) == ASMK_SUCCESS)
      file = info.code_object;
    asmk_close(ctx);
  }
  EXPECT_FALSE(file.empty()) << kernel << ": " << asmk_last_error();
  return file;
}

// `asmk run`'s operands that choose a repository kernel: its code object and --kernel.
std::string kernel_operands(const std::string& kernel) { return code_object_of(kernel) + " --kernel " + kernel; }

struct Result {
  int status;
  std::string output;
};

// Runs the CLI with `args` (already quoted where needed), capturing stdout and stderr.
Result run_asmk(const std::string& args) {
  const std::string command = kAsmk + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  char chunk[4096];
  while (std::size_t n = std::fread(chunk, 1, sizeof chunk, pipe)) output.append(chunk, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

template <class T>
void write_file(const fs::path& path, const std::vector<T>& data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size() * sizeof(T)));
}

template <class T>
std::vector<T> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<T> out(bytes.size() / sizeof(T));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

class AsmkRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("asmk_run_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // bf16 activations of an m x n problem, with a per-row spread so every row has its own scale.
  std::vector<std::uint16_t> input(std::uint32_t m, std::uint32_t n, std::uint32_t seed) const {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.f, 1.f);
    std::vector<std::uint16_t> x(std::size_t(m) * n);
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = std::uint16_t(asmk::ref::encode(asmk::ref::Format::bf16, normal(rng) * float(1 + i / n),
                                             asmk::ref::Overflow::saturate));
    return x;
  }

  // The reference outputs of the group quantization on `arch`.
  void reference(asmk::Arch arch, const std::vector<std::uint16_t>& x, std::uint32_t m, std::uint32_t n,
                 std::vector<std::uint8_t>& y, std::vector<float>& scale) const {
    y.assign(std::size_t(m) * n, 0);
    scale.assign(std::size_t(m) * (n / 128), 0.f);
    asmk::ref::QuantFp8Args r;
    r.arch = arch;
    r.in_format = asmk::ref::Format::bf16;
    r.granularity = asmk::ref::QuantGranularity::group;
    r.x = x.data();
    r.y = y.data();
    r.scale = scale.data();
    r.m = m;
    r.n = n;
    r.stride_x = n;
    r.stride_y = n;
    ASSERT_TRUE(asmk::ref::quant_fp8(r).ok());
  }

  void expect_outputs_match(asmk::Arch arch, const std::vector<std::uint16_t>& x, std::uint32_t m, std::uint32_t n) {
    std::vector<std::uint8_t> y_ref;
    std::vector<float> scale_ref;
    reference(arch, x, m, n, y_ref, scale_ref);
    const auto y = read_file<std::uint8_t>(dir_ / "y.bin");
    const auto scale = read_file<float>(dir_ / "scale.bin");
    ASSERT_EQ(y.size(), y_ref.size());
    ASSERT_EQ(scale.size(), scale_ref.size());
    EXPECT_EQ(y, y_ref);
    EXPECT_EQ(std::memcmp(scale.data(), scale_ref.data(), scale.size() * 4), 0);
  }

  std::string path(const char* name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(AsmkRun, ArgumentsByNameMatchTheReference) {
  for (const char* arch : {"gfx942", "gfx950"}) {
    SCOPED_TRACE(arch);
    const std::uint32_t m = 3, n = 1280;  // three 512-column steps, the last one ragged
    const auto x = input(m, n, 11);
    write_file(dir_ / "x.bin", x);
    const std::string co = kernel_operands("quant_fp8_" + std::string(arch) + "_bf16_group_n512");
    const Result r = run_asmk("run " + co + " --grid 3,3 --block 256 --buffer x=@" + path("x.bin") +
                              " --buffer y=zeros:" + std::to_string(m * n) + " --buffer scale=zeros:" +
                              std::to_string(m * (n / 128) * 4) + " --arg m=3 --arg n=1280 --arg stride_x=1280" +
                              " --arg stride_y=0x500 --out y=" + path("y.bin") + " --out scale=" + path("scale.bin") +
                              " --strict --stats");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("grid (3, 3, 1) block (256, 1, 1): ok"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("global read " + std::to_string(m * n * 2)), std::string::npos) << r.output;
    expect_outputs_match(std::string(arch) == "gfx942" ? asmk::Arch::gfx942 : asmk::Arch::gfx950, x, m, n);
  }
}

TEST_F(AsmkRun, KernargBlobWithPatchedPointersMatchesTheReference) {
  const std::uint32_t m = 2, n = 512;
  const auto x = input(m, n, 12);
  write_file(dir_ / "x.bin", x);
  // The contract's layout: x@0 y@8 scale@16 (pointers, left as garbage), m@24 n@28 stride_x@32 stride_y@36.
  std::vector<std::uint32_t> blob(10, 0xdeadbeef);
  blob[6] = m, blob[7] = n, blob[8] = n, blob[9] = n;
  write_file(dir_ / "kernarg.bin", blob);
  const std::string co = kernel_operands("quant_fp8_gfx942_bf16_group_n512");
  const Result r = run_asmk("run " + co + " --grid 1,2 --buffer in=@" + path("x.bin") + " --buffer out=zeros:1024" +
                            " --buffer s=zeros:32 --kernarg @" + path("kernarg.bin") +
                            " --patch 0=in --patch 8=out --patch 0x10=s --out out=" + path("y.bin") +
                            " --out s=" + path("scale.bin"));
  ASSERT_EQ(r.status, 0) << r.output;
  expect_outputs_match(asmk::Arch::gfx942, x, m, n);
}

TEST_F(AsmkRun, AFaultIsReportedWithKernelAndAddress) {
  // y is 16 bytes where 512 are written: the stores past it leave every allocation.
  const std::string co = kernel_operands("quant_fp8_gfx942_bf16_row_n512");
  const Result r = run_asmk("run " + co + " --grid 1,1 --buffer x=random:1024:1 --buffer y=zeros:16" +
                            " --buffer scale=zeros:4 --arg m=1 --arg n=512 --arg stride_x=512 --arg stride_y=512");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("FAULTED"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("kernel quant_fp8_gfx942_bf16_row_n512 workgroup (0,0,0)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("address 0x"), std::string::npos) << r.output;
}

TEST_F(AsmkRun, Refusals) {
  const std::string co = kernel_operands("quant_fp8_gfx942_bf16_row_n512");
  Result r = run_asmk("run " + co + " --grid 1 --arg m=1 --arg mm=2");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("no argument named 'mm'; its arguments: x (global_buffer)"), std::string::npos) << r.output;
  r = run_asmk("run " + co + " --grid 1 --buffer x=zeros:4 --arg m=1");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("missing arguments: y (a buffer"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("stride_y (u32)"), std::string::npos) << r.output;
  r = run_asmk("run " + co + " --grid 1 --buffer x=zeros:4 --buffer y=zeros:4 --buffer scale=zeros:4 --arg m=-1" +
               " --arg n=1 --arg stride_x=1 --arg stride_y=1");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--arg m=-1 (u32, 4 bytes): not an integer of that type"), std::string::npos) << r.output;
  r = run_asmk("run " + co + " --grid 1 --kernarg @" + path("none.bin"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--kernarg: cannot read '" + path("none.bin") + "': No such file"), std::string::npos)
      << r.output;
  r = run_asmk("run " + co + " --grid 0,1");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("each dimension must be"), std::string::npos) << r.output;
}

TEST_F(AsmkRun, MalformedCodeObjectsGetAClearError) {
  const std::string co = code_object_of("quant_fp8_gfx942_bf16_row_n512");
  std::ifstream in(co, std::ios::binary);
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_GT(bytes.size(), 256u);
  for (std::size_t length : {std::size_t(0), std::size_t(3), std::size_t(64), bytes.size() / 2}) {
    write_file(dir_ / "bad.co", std::vector<char>(bytes.begin(), bytes.begin() + std::ptrdiff_t(length)));
    const Result r = run_asmk("run " + path("bad.co") + " --grid 1");
    EXPECT_EQ(r.status, 1) << length << ": " << r.output;
    EXPECT_NE(r.output.find("asmk: error: " + path("bad.co") + ": "), std::string::npos) << length << ": " << r.output;
  }
  write_file(dir_ / "text.co", std::vector<char>{'h', 'e', 'l', 'l', 'o'});
  const Result r = run_asmk("info --emu-coverage " + path("text.co"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("not an ELF file"), std::string::npos) << r.output;
}

TEST_F(AsmkRun, EmuCoverageOfAGeneratedKernel) {
  const Result r = run_asmk("info --emu-coverage " + code_object_of("quant_fp8_gfx950_fp16_row_n512"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("target       amdgcn-amd-amdhsa--gfx950"), std::string::npos) << r.output;
  // the code object holds the quant_fp8 kernels of gfx950 (they share one)
  EXPECT_NE(r.output.find("the emulator runs every instruction of its "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" kernel(s)"), std::string::npos) << r.output;
}

// OpenCL C compiled without -cl-kernel-arg-info: the metadata has offsets and types but no
// names. saxpy(x, y, a, n) by index: y = a * x + y (clang contracts it into one fma).
TEST_F(AsmkRun, UnnamedArgumentsByIndexMatchTheHost) {
  const std::uint32_t n = 100;
  std::vector<float> x(n), y(n);
  for (std::uint32_t i = 0; i < n; ++i) x[i] = 0.25f * float(i) - 3.f, y[i] = float(i % 7);
  write_file(dir_ / "x.bin", x);
  write_file(dir_ / "y.bin", y);
  const Result r = run_asmk("run " + kEmuKernels + "/basic_cl_gfx942.co --kernel saxpy --grid 2 --block 64" +
                            " --buffer 0=@" + path("x.bin") + " --buffer 1=@" + path("y.bin") +
                            " --arg 2=-1.5 --arg 3=" + std::to_string(n) + " --out 1=" + path("y_out.bin"));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto got = read_file<float>(dir_ / "y_out.bin");
  ASSERT_EQ(got.size(), n);
  for (std::uint32_t i = 0; i < n; ++i) EXPECT_EQ(got[i], std::fma(-1.5f, x[i], y[i])) << i;
}

// Without a metadata note only --kernarg works: the blob's pointer patched, its value kept.
TEST_F(AsmkRun, CodeObjectWithoutMetadataTakesAKernargBlob) {
  std::vector<std::uint32_t> blob = {0, 0, 700, 0};  // out@0 (patched), value@8
  write_file(dir_ / "kernarg.bin", blob);
  const std::string co = kEmuKernels + "/no_metadata_gfx942.co";
  Result r = run_asmk("run " + co + " --grid 1 --block 64 --buffer out=zeros:256 --kernarg @" + path("kernarg.bin") +
                      " --patch 0=out --out out=" + path("out.bin"));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto got = read_file<std::uint32_t>(dir_ / "out.bin");
  ASSERT_EQ(got.size(), 64u);
  for (std::uint32_t l = 0; l < 64; ++l) EXPECT_EQ(got[l], 700 + l) << l;
  // Without --kernarg there is nothing to build the segment from: said, not zeros launched.
  r = run_asmk("run " + co + " --grid 1 --block 64");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("has no argument metadata (.args) for its 16-byte kernarg segment"), std::string::npos)
      << r.output;
}

}  // namespace

// Issue 17: inputs, sizes and output paths a user (or a script) gets wrong are refused with a
// message and exit status 1 — before: std::terminate on a directory (ifstream throws), an endless
// read of /dev/zero or a FIFO, std::bad_alloc on a huge size, a heap overwrite from a --patch
// offset whose "offset + 8" wrapped, and --out files overwritten after a faulting launch.
class AsmkRunInputs : public AsmkRun {
 protected:
  const std::string saxpy_ = "run " + kEmuKernels + "/basic_cl_gfx942.co --kernel saxpy --grid 1 --block 64 ";
  // Exit status 1 (a status of -1 means a signal: an abort or a crash) and the message.
  void expect_refusal(const std::string& args, const std::string& message) {
    const Result r = run_asmk(args);
    EXPECT_EQ(r.status, 1) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << args << "\n" << r.output;
    EXPECT_EQ(r.output.find("grid (1, 1, 1)"), std::string::npos) << "launched anyway: " << r.output;
  }
};

TEST_F(AsmkRunInputs, FilesThatAreNotRegularFilesAreRefused) {
  fs::create_directories(dir_ / "dir.co");
  ASSERT_EQ(::mkfifo(path("fifo.co").c_str(), 0600), 0);
  const std::string dir = path("dir.co"), fifo = path("fifo.co");
  expect_refusal(saxpy_ + "--kernarg @" + dir, "--kernarg: cannot read '" + dir + "': it is a directory, not a regular file");
  expect_refusal(saxpy_ + "--buffer 0=@" + dir, "--buffer 0: cannot read '" + dir + "': it is a directory");
  expect_refusal(saxpy_ + "--buffer 0=@/dev/zero", "--buffer 0: cannot read '/dev/zero': it is a character device");
  expect_refusal(saxpy_ + "--buffer 0=@" + fifo, "--buffer 0: cannot read '" + fifo + "': it is a FIFO");
  expect_refusal("run " + dir + " --grid 1", "code object: cannot read '" + dir + "': it is a directory");
  expect_refusal("info " + dir, "it is a directory, not a regular file");
  expect_refusal("info " + fifo, "it is a FIFO, not a regular file");
  expect_refusal("info --emu-coverage " + fifo, "it is a FIFO, not a regular file");
}

TEST_F(AsmkRunInputs, HugeSizesAreRefusedBeforeAllocating) {
  expect_refusal(saxpy_ + "--buffer 0=zeros:1000000G", "--buffer 0=zeros:1000000G (with the buffers before it) needs "
                                                       "1073741824000000 bytes of host memory, more than half");
  expect_refusal(saxpy_ + "--buffer 0=random:1000000G:1", "needs 1073741824000000 bytes of host memory");
  expect_refusal(saxpy_ + "--buffer 0=zeros:99999999999G", "--buffer zeros:BYTES '99999999999G' does not fit in 64 bits");
}

TEST_F(AsmkRunInputs, PatchOffsetsCannotWrapPastTheBlob) {
  write_file(dir_ / "blob.bin", std::vector<std::uint8_t>(24, 0));
  const std::string blob = saxpy_ + "--buffer b=zeros:256 --kernarg @" + path("blob.bin") + " --patch ";
  expect_refusal(blob + "18446744073709551608=b", "a pointer at offset 18446744073709551608 does not fit the 24-byte kernarg blob");
  expect_refusal(blob + "17=b", "a pointer at offset 17 does not fit the 24-byte kernarg blob");
  write_file(dir_ / "tiny.bin", std::vector<std::uint8_t>(4, 0));
  expect_refusal(saxpy_ + "--buffer b=zeros:256 --kernarg @" + path("tiny.bin") + " --patch 0=b",
                 "a pointer at offset 0 does not fit the 4-byte kernarg blob");
}

TEST_F(AsmkRunInputs, OutputPathsAreCheckedBeforeTheLaunch) {
  const std::string args = saxpy_ + "--buffer 0=random:256:1 --buffer y=zeros:256 --arg 1=y --arg 2=2.5 --arg 3=64 ";
  expect_refusal(args + "--out y=" + dir_.string(), "--out y: '" + dir_.string() + "' is a directory, not a file");
  expect_refusal(args + "--out y=" + path("no/such/y.bin"), "--out y: cannot create '" + path("no/such/y.bin") +
                                                                 "': the folder '" + path("no/such") + "' does not exist");
  expect_refusal(args + "--out z=" + path("z.bin"), "--out: no buffer named 'z'");
  expect_refusal(args + "--trace " + dir_.string(), "--trace: '" + dir_.string() + "' is a directory");
  const Result r = run_asmk(args + "--out y=" + path("y.bin"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_file<std::uint8_t>(dir_ / "y.bin").size(), 256u);
}

TEST_F(AsmkRunInputs, AFaultingLaunchWritesNoOutput) {
  write_file(dir_ / "y.bin", std::vector<char>{'k', 'e', 'e', 'p'});
  const std::string co = kernel_operands("quant_fp8_gfx942_bf16_row_n512");
  const Result r = run_asmk("run " + co + " --grid 1,1 --buffer x=random:1024:1 --buffer y=zeros:16" +
                            " --buffer scale=zeros:4 --arg m=1 --arg n=512 --arg stride_x=512 --arg stride_y=512" +
                            " --out y=" + path("y.bin"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("FAULTED"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("outputs not written: the launch faulted"), std::string::npos) << r.output;
  EXPECT_EQ(read_file<char>(dir_ / "y.bin"), (std::vector<char>{'k', 'e', 'e', 'p'}));
}
