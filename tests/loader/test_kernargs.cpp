// Packing by name into the layout the fixture declares for vector_add_gfx942_f32_n256:
//   a@0 b@8 c@16 (pointers), n@24 u32, alpha@28 f32, count@32 u64, bias@40 i32, base@48 i64,
//   hidden: block_count_x/y/z @64/68/72 (u32), group_size_x/y/z @76/78/80 (u16),
//   remainder_x @82 (u16), global_offset_x @88 (u64), grid_dims @112 (u16); kernarg_bytes 120.
#include <cstring>

#include <gtest/gtest.h>

#include "error.hpp"
#include "kernargs.hpp"
#include "repository.hpp"
#include "support.hpp"

namespace asmk {
namespace {

template <typename T>
T read_at(const std::vector<std::byte>& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

class Kernargs : public ::testing::Test {
 protected:
  Repository repo = Repository::open(test::kRepo);
  const Kernel& kernel = repo.get("vector_add_gfx942_f32_n256");
  int a = 0, b = 0, c = 0;  // addresses only
  std::vector<KernargValue> values() const {
    // Deliberately not in declaration order: names, not positions, decide.
    return {{"alpha", 1.5f}, {"c", static_cast<const void*>(&c)}, {"n", std::uint32_t{1000}},
            {"count", std::uint64_t{0x123456789abcdef0}}, {"a", static_cast<const void*>(&a)},
            {"bias", std::int32_t{-7}}, {"b", static_cast<const void*>(&b)}, {"base", std::int64_t{-5'000'000'000}}};
  }
  Error error_of(const std::vector<KernargValue>& v) {
    try {
      pack_kernargs(kernel, v, {4, 2, 1}, {64, 1, 1});
    } catch (const Error& e) {
      return e;
    }
    ADD_FAILURE() << "no error";
    return Error(ASMK_SUCCESS, "");
  }
};

TEST_F(Kernargs, ValuesLandAtTheDeclaredOffsets) {
  const auto bytes = pack_kernargs(kernel, values(), {4, 2, 1}, {64, 1, 1});
  ASSERT_EQ(bytes.size(), 120u);
  EXPECT_EQ(read_at<const void*>(bytes, 0), &a);
  EXPECT_EQ(read_at<const void*>(bytes, 8), &b);
  EXPECT_EQ(read_at<const void*>(bytes, 16), &c);
  EXPECT_EQ(read_at<std::uint32_t>(bytes, 24), 1000u);
  EXPECT_EQ(read_at<float>(bytes, 28), 1.5f);
  EXPECT_EQ(read_at<std::uint64_t>(bytes, 32), 0x123456789abcdef0u);
  EXPECT_EQ(read_at<std::int32_t>(bytes, 40), -7);
  EXPECT_EQ(read_at<std::int64_t>(bytes, 48), -5'000'000'000);
  // Bytes 44..47 and 56..63 are padding: zero.
  for (std::size_t i : {44u, 45u, 46u, 47u, 56u, 63u}) EXPECT_EQ(bytes[i], std::byte{0}) << i;
}

TEST_F(Kernargs, HiddenArgumentsComeFromTheGeometry) {
  const auto bytes = pack_kernargs(kernel, values(), {4, 2, 1}, {64, 1, 1});
  EXPECT_EQ(read_at<std::uint32_t>(bytes, 64), 4u);   // block_count_x = grid.x (workgroups)
  EXPECT_EQ(read_at<std::uint32_t>(bytes, 68), 2u);
  EXPECT_EQ(read_at<std::uint32_t>(bytes, 72), 1u);
  EXPECT_EQ(read_at<std::uint16_t>(bytes, 76), 64u);  // group_size_x = block.x
  EXPECT_EQ(read_at<std::uint16_t>(bytes, 78), 1u);
  EXPECT_EQ(read_at<std::uint16_t>(bytes, 80), 1u);
  EXPECT_EQ(read_at<std::uint16_t>(bytes, 82), 0u);   // remainder: grids are whole workgroups
  EXPECT_EQ(read_at<std::uint64_t>(bytes, 88), 0u);   // global offset 0
  EXPECT_EQ(read_at<std::uint16_t>(bytes, 112), 2u);  // grid dims: y > 1, z == 1
}

TEST_F(Kernargs, MissingArgumentIsNamedWithTheKnownOnes) {
  auto v = values();
  v.erase(v.begin() + 1);  // "c"
  const auto e = error_of(v);
  EXPECT_EQ(e.status(), ASMK_ERROR_BAD_KERNARG);
  const std::string m = e.what();
  EXPECT_NE(m.find("missing argument(s) c"), std::string::npos) << m;
  EXPECT_NE(m.find("a (const f32*), b (const f32*), c (f32*), n (u32), alpha (f32)"), std::string::npos) << m;
}

TEST_F(Kernargs, UnknownArgumentIsNamedWithTheNearest) {
  auto v = values();
  v.push_back({"alhpa", 2.0f});
  const auto e = error_of(v);
  EXPECT_EQ(e.status(), ASMK_ERROR_BAD_KERNARG);
  EXPECT_NE(std::string(e.what()).find("no argument 'alhpa' (nearest: alpha)"), std::string::npos) << e.what();
}

TEST_F(Kernargs, WrongTypeIsRefused) {
  auto v = values();
  v[2].value = std::int32_t{1000};  // n is u32
  const auto e = error_of(v);
  EXPECT_EQ(e.status(), ASMK_ERROR_BAD_KERNARG);
  EXPECT_NE(std::string(e.what()).find("'n'"), std::string::npos);
  EXPECT_NE(std::string(e.what()).find("given a i32"), std::string::npos) << e.what();
  v = values();
  v[0].value = static_cast<const void*>(&a);  // alpha is f32, not a pointer
  EXPECT_EQ(error_of(v).status(), ASMK_ERROR_BAD_KERNARG);
}

TEST_F(Kernargs, HiddenAndDuplicateArgumentsAreRefused) {
  auto v = values();
  v.push_back({"hidden_block_count_x", std::uint32_t{1}});
  EXPECT_NE(std::string(error_of(v).what()).find("filled by libasmk"), std::string::npos);
  v = values();
  v.push_back({"n", std::uint32_t{2}});
  EXPECT_NE(std::string(error_of(v).what()).find("given twice"), std::string::npos);
}

}  // namespace
}  // namespace asmk
