// Issue 17 findings in the emulator, one test each: 16-bit products and dot-product sums that
// overflow a C int (UndefinedBehaviorSanitizer flagged them; under the sanitizer build these tests
// halt before the fix), stores far past a buffer that used to land in the neighbouring allocation,
// stores into the kernel's own code and kernarg images, two Devices handing out the same addresses,
// and a launch whose host threads cannot be created.
#include <pthread.h>

#include <array>

#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

class Reliability : public ::testing::TestWithParam<std::string> {};

uint32_t lo16(uint32_t v) { return v & 0xffff; }
uint32_t hi16(uint32_t v) { return v >> 16; }
int32_t s16(uint32_t v) { return int16_t(uint16_t(v)); }
int32_t s8(uint32_t v, int i) { return int8_t(uint8_t(v >> (8 * i))); }

TEST_P(Reliability, SixteenBitProductsAndDotSumsWrapLikeTheHardware) {
  auto co = load_kernel_file("reliability", GetParam());
  ASSERT_TRUE(co);
  // 0xffff * 0xffff overflows int (u16 operands promote to int); the dot sums overflow int32.
  std::vector<std::array<uint32_t, 3>> cases = {
      {0xffffffffu, 0xffffffffu, 0xffffffffu}, {0x80008000u, 0x80008000u, 0x7fffffffu},
      {0x80808080u, 0x80808080u, 0x7fffffffu}, {0x7fff7fffu, 0x7fff7fffu, 0x7fff0001u},
      {0x00010001u, 0xffffffffu, 0u},
  };
  uint32_t x = 0x2545f491u;
  auto next = [&x] { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x; };
  while (cases.size() < 64) cases.push_back({next(), next(), next()});
  std::vector<uint32_t> in(192);
  for (int l = 0; l < 64; l++)
    for (int k = 0; k < 3; k++) in[k * 64 + l] = cases[l][k];
  Device dev;
  uint64_t din = upload(dev, in), dout = upload(dev, std::vector<uint32_t>(6 * 64, 0xdeadbeefu));
  Dispatch d;
  d.kernel = *co->find("int_wrap");
  d.grid = {1, 1, 1};
  d.block = {64, 1, 1};
  d.kernargs = Kernargs().add(din).add(dout).bytes();
  LaunchReport r = launch(dev, d, {.strict = true});
  ASSERT_TRUE(r.ok()) << describe(r);
  auto out = download<uint32_t>(dev, dout, 6 * 64);
  for (int l = 0; l < 64; l++) {
    auto [a, b, c] = cases[l];
    // Expected values in 64-bit arithmetic, truncated: the ISA's results modulo 2^16 / 2^32.
    uint64_t mul_lo = (uint64_t(lo16(a)) * lo16(b)) & 0xffff, mul_hi = (uint64_t(hi16(a)) * hi16(b)) & 0xffff;
    uint64_t mad_lo = (uint64_t(lo16(a)) * lo16(b) + lo16(c)) & 0xffff, mad_hi = (uint64_t(hi16(a)) * hi16(b) + hi16(c)) & 0xffff;
    EXPECT_EQ(out[0 * 64 + l], uint32_t(mul_lo | mul_hi << 16)) << "v_pk_mul_lo_u16 lane " << l;
    EXPECT_EQ(out[1 * 64 + l], uint32_t(mad_lo | mad_hi << 16)) << "v_pk_mad_u16 lane " << l;
    EXPECT_EQ(out[2 * 64 + l] & 0xffff, uint32_t(mul_lo)) << "v_mul_lo_u16 lane " << l;
    EXPECT_EQ(out[3 * 64 + l], uint32_t(uint64_t(c) + uint64_t(lo16(a)) * lo16(b) + uint64_t(hi16(a)) * hi16(b)))
        << "v_dot2_u32_u16 lane " << l;
    EXPECT_EQ(out[4 * 64 + l], uint32_t(int64_t(int32_t(c)) + int64_t(s16(a)) * s16(b) + int64_t(s16(a >> 16)) * s16(b >> 16)))
        << "v_dot2_i32_i16 lane " << l;
    int64_t dot4 = int32_t(c);
    for (int i = 0; i < 4; i++) dot4 += int64_t(s8(a, i)) * s8(b, i);
    EXPECT_EQ(out[5 * 64 + l], uint32_t(dot4)) << "v_dot4_i32_i8 lane " << l;
  }
}

LaunchReport store_at(const CodeObject& co, Device& dev, uint64_t buffer, uint64_t offset, uint32_t value, bool strict) {
  Dispatch d;
  d.kernel = *co.find("store_at");
  d.grid = {1, 1, 1};
  d.block = {1, 1, 1};
  d.kernargs = Kernargs().add(buffer).add(offset).add(value).bytes();
  return launch(dev, d, {.strict = strict});
}

// Any base plus a 32-bit offset stays out of every other allocation: the guard between two
// allocations is 4 GiB, so a store 1 MiB, 256 MiB or 4 GiB - 4 past a buffer faults, in both modes,
// and the neighbour keeps its bytes.
TEST_P(Reliability, StoresFarPastABufferFaultInsteadOfHittingTheNeighbour) {
  auto co = load_kernel_file("reliability", GetParam());
  ASSERT_TRUE(co);
  for (bool strict : {false, true}) {
    Device dev;
    uint64_t a = upload(dev, std::vector<uint32_t>(256, 0));
    uint64_t b = upload(dev, std::vector<uint32_t>(1 << 18, 0));  // 1 MiB neighbour
    ASSERT_GT(b, a);
    for (uint64_t offset : {uint64_t(1024), uint64_t(1) << 20, uint64_t(1) << 20 | 0x1000, uint64_t(1) << 28,
                            (uint64_t(1) << 32) - 4, b - a}) {
      if (offset == b - a && b - a < (uint64_t(1) << 32)) ADD_FAILURE() << "allocations only " << b - a << " bytes apart";
      if (offset == b - a) continue;  // the neighbour's own address is of course writable
      LaunchReport r = store_at(*co, dev, a, offset, 0x12345678u, strict);
      EXPECT_EQ(r.status, LaunchStatus::faulted) << "offset " << offset << (strict ? " strict" : "");
    }
    auto neighbour = download<uint32_t>(dev, b, 1 << 18);
    EXPECT_EQ(std::count(neighbour.begin(), neighbour.end(), 0x12345678u), 0);
    // The in-bounds store still works.
    ASSERT_TRUE(store_at(*co, dev, a, 1020, 0x12345678u, strict).ok());
    EXPECT_EQ(download<uint32_t>(dev, a + 1020, 1)[0], 0x12345678u);
  }
}

TEST_P(Reliability, StoresIntoTheKernelsOwnCodeAndKernargsFault) {
  auto co = load_kernel_file("reliability", GetParam());
  ASSERT_TRUE(co);
  for (const char* name : {"store_kernarg", "store_code"}) {
    for (bool strict : {false, true}) {
      Device dev;
      Dispatch d;
      d.kernel = *co->find(name);
      d.grid = {1, 1, 1};
      d.block = {1, 1, 1};
      d.kernargs = Kernargs().add(uint64_t(0)).bytes();
      LaunchReport r = launch(dev, d, {.strict = strict});
      ASSERT_EQ(r.status, LaunchStatus::faulted) << name;
      ASSERT_FALSE(r.faults.empty());
      EXPECT_NE(r.faults[0].message.find(std::string(name) == "store_code" ? "code object image" : "kernarg segment"),
                std::string::npos)
          << r.faults[0].message;
    }
  }
}

TEST(DeviceWindows, TwoDevicesNeverShareAnAddressAndNameForeignPointers) {
  Device one, two;
  auto a = one.alloc(4096);
  auto b = two.alloc(4096);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(two.region_of(*a).size, 0u);
  EXPECT_EQ(two.translate(*a, 4), nullptr);
  uint32_t v = 1;
  Status w = two.write(*a, &v, 4);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.message().find("another device"), std::string::npos) << w.message();
  Status f = two.free(*a);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.message().find("another device"), std::string::npos) << f.message();
  EXPECT_TRUE(one.free(*a).ok());
}

TEST(DeviceWindows, FreedAddressesAreReusedSoAWindowNeverRunsOut) {
  Device dev;
  // 2000 alloc/free pairs need 2000 * 4 GiB of guarded space, more than one window: the next-fit
  // search wraps around to freed space.
  for (int i = 0; i < 2000; i++) {
    auto a = dev.alloc(1 << 20);
    ASSERT_TRUE(a.ok()) << i << ": " << a.error();
    ASSERT_TRUE(dev.free(*a).ok());
  }
  EXPECT_FALSE(dev.alloc(Device::kMaxAllocation + 1).ok());
}

// Thread creation failing (the process's thread or memory limit) must not std::terminate: make
// every new thread ask for a stack larger than the address space, then launch with many threads.
TEST(LaunchThreads, ThreadCreationFailureFallsBackInsteadOfTerminating) {
  auto co = load_kernel_file("scale_add", "gfx942");
  ASSERT_TRUE(co);
  Device d;
  std::vector<float> x(4096, 1.0f);
  uint64_t in = upload(d, x), out = upload(d, std::vector<float>(4096, 0.0f));
  Dispatch disp;
  disp.kernel = *co->find("scale_add");
  disp.grid = {16, 1, 1};
  disp.block = {256, 1, 1};
  disp.kernargs = Kernargs().add(in).add(out).add(3.0f).add(0.5f).add(uint32_t(4096)).bytes();
  pthread_attr_t saved, huge;
  ASSERT_EQ(pthread_getattr_default_np(&saved), 0);
  ASSERT_EQ(pthread_attr_init(&huge), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&huge, size_t(1) << 47), 0);
  ASSERT_EQ(pthread_setattr_default_np(&huge), 0);
  LaunchOptions opt;
  opt.threads = 4096;
  LaunchReport r = launch(d, disp, opt);
  pthread_setattr_default_np(&saved);
  pthread_attr_destroy(&huge);
  pthread_attr_destroy(&saved);
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(download<float>(d, out, 4096), std::vector<float>(4096, 3.5f));
}

INSTANTIATE_TEST_SUITE_P(Arch, Reliability, ::testing::Values("gfx942", "gfx950"));

}  // namespace
}  // namespace asmk::emu::test
