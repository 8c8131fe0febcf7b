// The device address space: allocations, bounds checks, host mappings, sparse > 4 GiB buffers.
#include "emu_test_util.hpp"

namespace asmk::emu::test {
namespace {

TEST(Device, AllocReadWriteFree) {
  Device d;
  auto a = d.alloc(100);
  ASSERT_TRUE(a.ok());
  EXPECT_NE(*a, 0u);
  std::vector<uint8_t> in(100), out(100);
  for (int i = 0; i < 100; i++) in[i] = uint8_t(i * 7);
  ASSERT_TRUE(d.write(*a, in.data(), 100).ok());
  ASSERT_TRUE(d.read(*a, out.data(), 100).ok());
  EXPECT_EQ(in, out);
  // One byte past the end is rejected, with a message that says where.
  Status s = d.read(*a + 1, out.data(), 100);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("past the end"), std::string::npos) << s.message();
  EXPECT_TRUE(d.free(*a).ok());
  EXPECT_FALSE(d.free(*a).ok());
  EXPECT_FALSE(d.read(*a, out.data(), 1).ok());
}

TEST(Device, AllocationsAreZeroedAndSeparated) {
  Device d;
  auto a = d.alloc(4096), b = d.alloc(4096);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_GE(*b, *a + 4096 + 4096);  // a guard gap separates neighbours
  uint32_t v = 1;
  ASSERT_TRUE(d.read(*a + 4092, &v, 4).ok());
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(d.translate(*a + 4096, 1), nullptr);
}

TEST(Device, MapHostSharesMemory) {
  Device d;
  std::vector<uint32_t> host(16, 5);
  auto a = d.map_host(host.data(), host.size() * 4);
  ASSERT_TRUE(a.ok());
  uint32_t v = 9;
  ASSERT_TRUE(d.write(*a + 8, &v, 4).ok());
  EXPECT_EQ(host[2], 9u);
  EXPECT_EQ(*a % 4, reinterpret_cast<uintptr_t>(host.data()) % 4);
  EXPECT_TRUE(d.free(*a).ok());
  EXPECT_EQ(host[2], 9u);  // not owned: still there
}

TEST(Device, SparseAllocationBeyondFourGiB) {
  Device d;
  const uint64_t size = 6ull << 30;  // 6 GiB, only touched pages cost memory
  auto a = d.alloc(size);
  ASSERT_TRUE(a.ok()) << a.error();
  uint64_t far = *a + (5ull << 30) + 12;
  uint32_t v = 0xdeadbeef, back = 0;
  ASSERT_TRUE(d.write(far, &v, 4).ok());
  ASSERT_TRUE(d.read(far, &back, 4).ok());
  EXPECT_EQ(back, v);
  EXPECT_FALSE(d.write(*a + size - 2, &v, 4).ok());
}

TEST(Device, RejectsBadAlignment) {
  Device d;
  EXPECT_FALSE(d.alloc(16, 3).ok());
}

}  // namespace
}  // namespace asmk::emu::test
