// Issue 17: the emulator runs random instruction streams without a host crash and in bounded time.
//
// The streams are painted on a canvas kernel (streams/canvas.s: 1024 s_nop words, every register,
// 64 KiB of LDS, two buffers as arguments): whole instructions harvested from the generated
// kernels (the seeds), some with flipped bits, some replaced by random words, in random order. Each
// stream runs as two workgroups of two waves under a launch budget, strict mode on every other
// stream. Passing means, for every stream:
//   - the launch returns (no host crash, no hang: the instruction and time budgets stop spins);
//   - a faulted launch names at least one fault, each with its instruction and a message;
//   - memory no argument points to (a canary allocation) is untouched;
//   - the same stream run again on the same buffers gives the same report (kinds, waves, PCs,
//     instructions) and the same buffer contents (no state of the emulator leaks between launches
//     or is read uninitialized).
// Fixed seeds: a run is reproducible; a failure prints the stream's seed and its first
// instructions, to be reduced to a recipe in regressions/ like the decoder findings.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "asmk/emu/code_object.hpp"
#include "asmk/emu/device.hpp"
#include "asmk/emu/launch.hpp"
#include "fuzz_inputs.hpp"

namespace {

namespace fs = std::filesystem;
using namespace asmk::emu;

constexpr std::uint32_t kSNop0 = 0xbf800000u;
constexpr std::size_t kBufferBytes = 1 << 16;
constexpr int kStreamsPerArch = 300;

// Whole instructions (4 or 8 bytes) of the seeds' kernels for one arch.
std::vector<std::vector<std::uint8_t>> harvest(Arch arch) {
  std::vector<std::vector<std::uint8_t>> pool;
  for (const fs::path& file : asmk::fuzz::seeds()) {
    auto co = CodeObject::load_file(file.string());
    if (!co || (*co)->arch() != arch) continue;
    for (const Kernel& k : (*co)->kernels()) {
      auto lines = (*co)->listing(k.name);
      if (!lines) continue;
      for (const ListingLine& line : *lines)
        if (line.supported && (line.bytes.size() == 4 || line.bytes.size() == 8)) pool.push_back(line.bytes);
    }
  }
  return pool;
}

// The canvas code object's bytes and where its s_nop body starts and ends.
struct Canvas {
  std::vector<std::uint8_t> bytes;
  std::size_t body = 0, body_bytes = 0;
};

Canvas canvas(const std::string& arch) {
  Canvas c;
  c.bytes = asmk::fuzz::read_bytes(fs::path(ASMK_FUZZ_STREAMS_DIR) / ("canvas_" + arch + ".co"));
  auto co = CodeObject::load(c.bytes);
  if (!co) return c;
  const Kernel& k = (*co)->kernels().at(0);
  c.body = k.code_offset;
  c.body_bytes = k.code_size - 4;  // all but the final s_endpgm
  for (std::size_t i = 0; i < c.body_bytes; i += 4) {
    std::uint32_t word = 0;
    std::memcpy(&word, &c.bytes[c.body + i], 4);
    if (word != kSNop0) return {};  // not the canvas this test expects
  }
  return c;
}

// A random stream over the canvas body: harvested instructions, 1 in 8 with a flipped bit, 1 in 32
// replaced by a random word; the tail left as s_nop.
std::vector<std::uint8_t> paint(const Canvas& c, const std::vector<std::vector<std::uint8_t>>& pool,
                                std::mt19937_64& rng) {
  std::vector<std::uint8_t> out = c.bytes;
  std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
  std::uniform_int_distribution<int> die(0, 31), bit(0, 63);
  std::uniform_int_distribution<std::uint32_t> word;
  const std::size_t length = std::uniform_int_distribution<std::size_t>(8, c.body_bytes / 4)(rng) * 4;
  std::size_t at = 0;
  while (at + 8 <= length) {
    const int roll = die(rng);
    std::vector<std::uint8_t> in;
    if (roll == 0) {
      const std::uint32_t w = word(rng);
      in.resize(4);
      std::memcpy(in.data(), &w, 4);
    } else {
      in = pool[pick(rng)];
      if (roll < 5) {
        const int b = bit(rng) % int(in.size() * 8);
        in[std::size_t(b / 8)] ^= std::uint8_t(1u << (b % 8));
      }
    }
    std::copy(in.begin(), in.end(), out.begin() + std::ptrdiff_t(c.body + at));
    at += in.size();
  }
  return out;
}

struct Outcome {
  LaunchReport report;
  std::vector<std::uint8_t> a, b;
};

std::string first_instructions(const std::vector<std::uint8_t>& code, const Canvas& c) {
  std::string text;
  for (std::size_t i = 0; i < 64 && i < c.body_bytes; i += 4) {
    std::uint32_t w = 0;
    std::memcpy(&w, &code[c.body + i], 4);
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08x ", w);
    text += hex;
  }
  return text;
}

// The memory a stream runs against: two argument buffers and a canary no argument points to, in
// one Device so that a second run sees the same addresses.
struct Memory {
  Device device;
  std::uint64_t a = 0, b = 0, canary = 0;
  Memory() : a(*device.alloc(kBufferBytes)), b(*device.alloc(kBufferBytes)), canary(*device.alloc(4096)) {}
};

Outcome run(Memory& memory, const CodeObject& co, bool strict, std::uint64_t fill_seed) {
  Outcome o;
  Device& device = memory.device;
  const std::uint64_t a = memory.a, b = memory.b, canary = memory.canary;
  std::vector<std::uint8_t> init(kBufferBytes);
  std::mt19937_64 fill(fill_seed);
  for (auto& byte : init) byte = std::uint8_t(fill());
  EXPECT_TRUE(device.write(a, init.data(), kBufferBytes).ok());
  EXPECT_TRUE(device.write(b, init.data(), kBufferBytes).ok());
  EXPECT_TRUE(device.write(canary, init.data(), 4096).ok());

  Dispatch d;
  d.kernel = *co.find("canvas");
  d.grid = {2, 1, 1};
  d.block = {128, 1, 1};
  d.kernargs.resize(24);
  const std::uint32_t n = kBufferBytes / 4;
  std::memcpy(&d.kernargs[0], &a, 8);
  std::memcpy(&d.kernargs[8], &b, 8);
  std::memcpy(&d.kernargs[16], &n, 4);
  LaunchOptions options;
  options.strict = strict;
  options.threads = 1;
  options.max_wave_instructions = 50000;
  options.max_launch_instructions = 100000;
  options.max_launch_milliseconds = 5000;
  o.report = launch(device, d, options);

  o.a.resize(kBufferBytes);
  o.b.resize(kBufferBytes);
  std::vector<std::uint8_t> after(4096);
  EXPECT_TRUE(device.read(a, o.a.data(), kBufferBytes).ok());
  EXPECT_TRUE(device.read(b, o.b.data(), kBufferBytes).ok());
  EXPECT_TRUE(device.read(canary, after.data(), 4096).ok());
  EXPECT_TRUE(std::equal(after.begin(), after.end(), init.begin())) << "a store reached memory no argument points to";
  return o;
}

// What a launch reported, without the messages' and faults' addresses (the code image and kernarg
// segment of the second run lie elsewhere).
std::string report_text(const LaunchReport& r) {
  std::string text = std::to_string(int(r.status)) + " faults " + std::to_string(r.fault_count) + " strict " +
                     std::to_string(r.strict_count);
  for (const std::vector<Report>* list : {&r.faults, &r.strict})
    for (const Report& f : *list)
      text += "\n" + std::string(fault_kind_name(f.kind)) + " wg " + std::to_string(f.workgroup.x) + " wave " +
              std::to_string(f.wave) + " lane " + std::to_string(f.lane) + " pc " + std::to_string(f.pc) + " " +
              f.instruction;
  return text;
}

class InstructionStreams : public ::testing::TestWithParam<const char*> {};

TEST_P(InstructionStreams, RunWithoutCrashInBoundedTimeAndDeterministically) {
  const std::string arch = GetParam();
  const Canvas c = canvas(arch);
  ASSERT_FALSE(c.bytes.empty()) << "the canvas code object for " << arch << " is missing or not all s_nop";
  const auto pool = harvest(arch == "gfx942" ? Arch::gfx942 : Arch::gfx950);
  ASSERT_GT(pool.size(), 1000u) << "too few instructions harvested from the seeds under " << ASMK_HSACO_DIR;

  std::mt19937_64 rng(arch == "gfx942" ? 17 : 18);
  int loaded = 0, faulted = 0, clean = 0;
  for (int stream = 0; stream < kStreamsPerArch; ++stream) {
    const std::vector<std::uint8_t> code = paint(c, pool, rng);
    SCOPED_TRACE("stream " + std::to_string(stream) + " of seed " + (arch == "gfx942" ? "17" : "18") +
                 ", first words: " + first_instructions(code, c));
    const asmk::fuzz::SavedOnCrash saved(code);  // on a crash, the stream is saved as ASMK_FUZZ_LAST_INPUT
    auto co = CodeObject::load(code);
    if (!co) continue;  // refused at load (e.g. an undecodable word the loader screens): fine
    ++loaded;
    Memory memory;
    const auto start = std::chrono::steady_clock::now();
    const Outcome first = run(memory, **co, stream % 2 == 1, std::uint64_t(stream));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
    if (first.report.status == LaunchStatus::faulted) {
      ++faulted;
      ASSERT_FALSE(first.report.faults.empty()) << report_text(first.report);
      for (const Report& f : first.report.faults) EXPECT_FALSE(f.message.empty()) << f.to_string();
    } else if (first.report.status == LaunchStatus::ok) {
      ++clean;
    }
    const Outcome again = run(memory, **co, stream % 2 == 1, std::uint64_t(stream));
    ASSERT_EQ(report_text(first.report), report_text(again.report));
    ASSERT_TRUE(first.a == again.a && first.b == again.b) << "the same stream wrote different memory";
  }
  // The streams exercise both paths: some run to the end, most fault somewhere.
  EXPECT_GT(loaded, kStreamsPerArch / 2);
  EXPECT_GT(faulted, 0);
  std::printf("%s: %d streams loaded, %d faulted, %d ran clean\n", arch.c_str(), loaded, faulted, clean);
}

INSTANTIATE_TEST_SUITE_P(Archs, InstructionStreams, ::testing::Values("gfx942", "gfx950"));

}  // namespace
