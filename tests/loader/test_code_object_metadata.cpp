// libasmk's own reader of a code object's metadata note (code_object_metadata.hpp: ELF64 + the
// MessagePack note, no libLLVM), which the GPU backends use to check the manifest's kernarg layout.
// Checked against the generated repository (every kernel of every code object of one arch is
// described, with the manifest's layout), and on untrusted bytes: every cut and random byte changes
// of real code objects end in a result or MISSING_CODE_OBJECT, never a crash or a read past the bytes
// (the sanitizer pass runs these tests).
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backends/kernarg_layout_check.hpp"
#include "code_object_metadata.hpp"
#include "error.hpp"
#include "repository.hpp"
#include "support.hpp"

namespace asmk {
namespace {

namespace fs = std::filesystem;
using test::kGeneratedRepo;

std::vector<std::uint8_t> bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(CodeObjectMetadata, DescribesEveryKernelOfTheRepositoryAsItsManifestDoes) {
  for (const char* arch : {"gfx942", "gfx950"}) {
    const Repository repo = Repository::open(kGeneratedRepo);
    std::map<std::string, std::vector<KernelMetadata>> by_file;
    std::size_t checked = 0;
    for (const Kernel& k : repo.kernels()) {
      if (k.arch != arch) continue;
      auto [it, fresh] = by_file.try_emplace(k.code_object_path);
      if (fresh) it->second = read_kernel_metadata(bytes_of(k.code_object_path), k.code_object_path);
      const KernelMetadata* m = find_kernel_metadata(it->second, k.symbol);
      ASSERT_NE(m, nullptr) << k.name << " in " << k.code_object_path;
      EXPECT_EQ(m->name, k.symbol);
      EXPECT_EQ(m->symbol, k.symbol + ".kd");
      EXPECT_EQ(m->kernarg_segment_size, k.resources.kernarg_bytes) << k.name;
      ASSERT_EQ(m->args.size(), k.kernargs.size()) << k.name;
      for (std::size_t i = 0; i < m->args.size(); ++i) {
        EXPECT_EQ(m->args[i].offset, k.kernargs[i].offset) << k.name << " argument " << i;
        EXPECT_EQ(m->args[i].size, k.kernargs[i].size) << k.name << " argument " << i;
        EXPECT_EQ(m->args[i].value_kind, k.kernargs[i].kind) << k.name << " argument " << i;
      }
      EXPECT_NO_THROW(check_kernarg_layout(k, it->second, k.symbol)) << k.name;
      ++checked;
    }
    EXPECT_GT(checked, 50u) << arch;
  }
}

TEST(CodeObjectMetadata, TheLayoutCheckNamesTheFirstDifference) {
  const Repository repo = Repository::open(kGeneratedRepo);
  const Kernel* kernel = nullptr;
  for (const Kernel& k : repo.kernels())
    if (k.name == "quant_fp8_gfx942_bf16_row_n512") kernel = &k;
  ASSERT_NE(kernel, nullptr);
  const auto metadata = read_kernel_metadata(bytes_of(kernel->code_object_path), kernel->code_object_path);
  Kernel edited = *kernel;
  std::swap(edited.kernargs[3].offset, edited.kernargs[4].offset);  // m and n
  try {
    check_kernarg_layout(edited, metadata, edited.symbol);
    ADD_FAILURE() << "a layout with two arguments swapped passed";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), ASMK_ERROR_BAD_REPOSITORY);
    EXPECT_NE(std::string(e.what()).find("the manifest's kernarg layout disagrees"), std::string::npos) << e.what();
  }
  edited = *kernel;
  edited.kernargs.pop_back();
  EXPECT_THROW(check_kernarg_layout(edited, metadata, edited.symbol), Error);
  // A code object without a metadata note, or a symbol it does not describe: nothing to compare.
  EXPECT_NO_THROW(check_kernarg_layout(*kernel, {}, kernel->symbol));
  EXPECT_NO_THROW(check_kernarg_layout(*kernel, metadata, "no_such_kernel"));
}

std::string outcome(std::span<const std::uint8_t> bytes) {
  try {
    const auto kernels = read_kernel_metadata(bytes, "mutated.co");
    return "read " + std::to_string(kernels.size());
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), ASMK_ERROR_MISSING_CODE_OBJECT) << e.what();
    EXPECT_NE(std::string(e.what()).find("code object mutated.co: "), std::string::npos) << e.what();
    return "refused";
  }
}

TEST(CodeObjectMetadata, UntrustedBytesAreReadOrRefusedNeverOverrun) {
  // One code object per family folder of gfx942.
  std::vector<fs::path> files;
  for (const auto& family : fs::directory_iterator(fs::path(kGeneratedRepo) / "gfx942"))
    if (family.is_directory())
      for (const auto& f : fs::directory_iterator(family.path()))
        if (f.path().extension() == ".co") {
          files.push_back(f.path());
          break;
        }
  ASSERT_GT(files.size(), 5u);
  std::mt19937_64 rng(42);
  std::size_t refused = 0, read = 0;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    const auto bytes = bytes_of(file);
    ASSERT_EQ(outcome(bytes).rfind("read ", 0), 0u);
    // Cuts (each a copy of exactly that many bytes, so a read past it is an overrun under ASan).
    for (std::size_t length = 0; length < bytes.size(); length += 1 + length / 8) {
      const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + std::ptrdiff_t(length));
      (outcome(cut) == "refused" ? refused : read)++;
    }
    // Random byte changes, half of them aimed at the headers.
    for (int round = 0; round < 400; ++round) {
      auto mutated = bytes;
      for (int i = 0; i < 4; ++i) {
        const std::size_t at = round % 2 ? rng() % std::min<std::size_t>(mutated.size(), 128) : rng() % mutated.size();
        mutated[at] = std::uint8_t(rng());
      }
      (outcome(mutated) == "refused" ? refused : read)++;
    }
  }
  EXPECT_GT(refused, 100u);
  EXPECT_GT(read, 100u);
}

TEST(CodeObjectMetadata, NotAnElfIsRefused) {
  const std::string text = "not an ELF file at all, but long enough to have a header of 64 bytes..........";
  const std::vector<std::uint8_t> bytes(text.begin(), text.end());
  EXPECT_EQ(outcome(bytes), "refused");
  EXPECT_EQ(outcome({}), "refused");
}

}  // namespace
}  // namespace asmk
