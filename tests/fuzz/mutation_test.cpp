// The fuzz target's deterministic counterpart, built with the project's compiler so it runs in
// every build: real code objects cut at every length and with random bytes flipped go through
// the same entry point (LLVMFuzzerTestOneInput). Passing means no crash; the loader may accept or
// refuse each input, and a truncated object must be refused. The inputs the fuzzer once crashed
// on are rebuilt and replayed by regression_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "asmk/emu/code_object.hpp"
#include "fuzz_inputs.hpp"

namespace {

using asmk::fuzz::feed;
using asmk::fuzz::read_bytes;
using asmk::fuzz::seeds;

TEST(CodeObjectMutations, SeedsLoad) {
  const auto files = seeds();
  ASSERT_FALSE(files.empty()) << "no code objects under " << ASMK_HSACO_DIR << " (build the `kernels` target)";
  for (const auto& f : files) {
    const auto bytes = read_bytes(f);
    EXPECT_TRUE(asmk::emu::CodeObject::load(bytes).ok()) << f;
    EXPECT_EQ(LLVMFuzzerTestOneInput(bytes.data(), bytes.size()), 0);
  }
}

TEST(CodeObjectMutations, EveryTruncationIsRefusedWithoutACrash) {
  for (const auto& f : seeds()) {
    SCOPED_TRACE(f.string());
    const auto bytes = read_bytes(f);
    for (std::size_t length = 0; length < bytes.size(); ++length) {
      // A copy of exactly `length` bytes, so reading past it is a real overrun under ASan.
      const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + std::ptrdiff_t(length));
      feed(cut);
      // The section headers sit at the end of an ld.lld output: any cut loses them.
      EXPECT_FALSE(asmk::emu::CodeObject::load(cut).ok()) << "length " << length;
    }
  }
}

// A fixed budget of mutated inputs shared by the seeds (one per family and arch), so the test's
// time stays flat as families are added; the coverage-guided search is fuzz.code_object_loader's.
constexpr int kRandomFlipInputs = 15000;  // 1..8 random bytes anywhere
constexpr int kHeaderFlipInputs = 5000;   // one byte of the ELF header and the headers' tables

TEST(CodeObjectMutations, RandomByteFlipsDoNotCrash) {
  std::mt19937_64 rng(2026);
  const auto files = seeds();
  ASSERT_FALSE(files.empty());
  const int random_rounds = kRandomFlipInputs / int(files.size()) + 1;
  const int header_rounds = kHeaderFlipInputs / int(files.size()) + 1;
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    const auto bytes = read_bytes(f);
    std::uniform_int_distribution<std::size_t> position(0, bytes.size() - 1);
    std::uniform_int_distribution<int> flips(1, 8), value(0, 255);
    for (int round = 0; round < random_rounds; ++round) {
      auto mutated = bytes;
      for (int i = flips(rng); i > 0; --i) mutated[position(rng)] = std::uint8_t(value(rng));
      feed(mutated);
    }
    // Flips aimed at the ELF header and the headers' tables, where a loader is most fragile.
    std::uniform_int_distribution<std::size_t> header(0, std::min<std::size_t>(bytes.size(), 64) - 1);
    for (int round = 0; round < header_rounds; ++round) {
      auto mutated = bytes;
      mutated[header(rng)] = std::uint8_t(value(rng));
      feed(mutated);
    }
  }
}

}  // namespace
