// The fuzz target's deterministic counterpart, built with the project's compiler so it runs in
// every build: real code objects cut at every length and with random bytes flipped go through
// the same entry point (LLVMFuzzerTestOneInput), and so does every input the fuzzer once
// crashed on (regressions/). Passing means no crash; the loader may accept or refuse each
// input, and a truncated object must be refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <vector>

#include "asmk/emu/code_object.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// One generated code object per arch and family folder (the smallest, to keep the test fast).
std::vector<fs::path> seeds() {
  std::vector<fs::path> out;
  for (const char* arch : {"gfx942", "gfx950"}) {
    const fs::path dir = fs::path(ASMK_HSACO_DIR) / arch;
    std::error_code ec;
    for (const auto& family : fs::directory_iterator(dir, ec)) {
      if (!family.is_directory()) continue;
      std::vector<fs::path> files;
      for (const auto& f : fs::directory_iterator(family.path()))
        if (f.path().extension() == ".co") files.push_back(f.path());
      if (files.empty()) continue;
      out.push_back(*std::min_element(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
        return fs::file_size(a) < fs::file_size(b);
      }));
    }
  }
  return out;
}

// Runs one input, first saving it as ASMK_FUZZ_LAST_INPUT so that a crash leaves behind the
// input that caused it (replay: code_object_fuzzer FILE, or keep it in regressions/).
void feed(const std::vector<std::uint8_t>& input) {
  {
    std::ofstream out(ASMK_FUZZ_LAST_INPUT, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(input.data()), std::streamsize(input.size()));
  }
  EXPECT_EQ(LLVMFuzzerTestOneInput(input.data(), input.size()), 0);
}

std::vector<std::uint8_t> read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(CodeObjectMutations, SeedsLoad) {
  const auto files = seeds();
  ASSERT_FALSE(files.empty()) << "no code objects under " << ASMK_HSACO_DIR << " (build the `kernels` target)";
  for (const auto& f : files) {
    const auto bytes = read(f);
    EXPECT_TRUE(asmk::emu::CodeObject::load(bytes).ok()) << f;
    EXPECT_EQ(LLVMFuzzerTestOneInput(bytes.data(), bytes.size()), 0);
  }
}

TEST(CodeObjectMutations, EveryTruncationIsRefusedWithoutACrash) {
  for (const auto& f : seeds()) {
    SCOPED_TRACE(f.string());
    const auto bytes = read(f);
    for (std::size_t length = 0; length < bytes.size(); ++length) {
      // A copy of exactly `length` bytes, so reading past it is a real overrun under ASan.
      const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + std::ptrdiff_t(length));
      feed(cut);
      // The section headers sit at the end of an ld.lld output: any cut loses them.
      EXPECT_FALSE(asmk::emu::CodeObject::load(cut).ok()) << "length " << length;
    }
  }
}

TEST(CodeObjectMutations, PastFuzzerFindingsDoNotCrash) {
  std::size_t count = 0;
  for (const auto& f : fs::directory_iterator(ASMK_FUZZ_REGRESSIONS_DIR)) {
    if (!f.is_regular_file()) continue;
    SCOPED_TRACE(f.path().string());
    const auto bytes = read(f.path());
    feed(bytes);
    ++count;
  }
  EXPECT_GT(count, 0u);
}

TEST(CodeObjectMutations, RandomByteFlipsDoNotCrash) {
  std::mt19937_64 rng(2026);
  for (const auto& f : seeds()) {
    SCOPED_TRACE(f.string());
    const auto bytes = read(f);
    std::uniform_int_distribution<std::size_t> position(0, bytes.size() - 1);
    std::uniform_int_distribution<int> flips(1, 8), value(0, 255);
    for (int round = 0; round < 1500; ++round) {
      auto mutated = bytes;
      for (int i = flips(rng); i > 0; --i) mutated[position(rng)] = std::uint8_t(value(rng));
      feed(mutated);
    }
    // Flips aimed at the ELF header and the headers' tables, where a loader is most fragile.
    std::uniform_int_distribution<std::size_t> header(0, std::min<std::size_t>(bytes.size(), 64) - 1);
    for (int round = 0; round < 500; ++round) {
      auto mutated = bytes;
      mutated[header(rng)] = std::uint8_t(value(rng));
      feed(mutated);
    }
  }
}

}  // namespace
