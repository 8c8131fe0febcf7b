// A random call of an op by its named arguments (asmk_run_op): every argument the op declares,
// with values from mild (valid choices, small sizes, ample buffers) to hostile (huge sizes, null
// or misaligned pointers, wrong types, repeated, unknown or nameless arguments). Shared by the
// op-argument fuzz and the manifest fuzz.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "asmk.h"

namespace asmk::test {

struct ArgSpec {
  std::string name;
  asmk_op_arg_kind kind;
  asmk_value_type type;
  std::vector<std::string> values;  // choices
};

inline std::vector<ArgSpec> arguments_of(asmk_context* c, const char* op) {
  asmk_op_info info{};
  EXPECT_EQ(asmk_op_get_info(c, op, &info), ASMK_SUCCESS) << asmk_last_error();
  std::vector<ArgSpec> out;
  for (std::size_t i = 0; i < info.arg_count; ++i) {
    asmk_op_arg_info a{};
    EXPECT_EQ(asmk_op_arg_at(c, op, i, &a), ASMK_SUCCESS) << asmk_last_error();
    ArgSpec spec{a.name, a.kind, a.type, {}};
    for (std::string rest = a.values; !rest.empty();) {
      const auto comma = rest.find(',');
      spec.values.push_back(rest.substr(0, comma));
      rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    }
    out.push_back(std::move(spec));
  }
  return out;
}

// One random call: the arguments and the strings and memory they point to.
class RandomCall {
 public:
  RandomCall(const std::vector<ArgSpec>& specs, std::mt19937_64& rng, std::vector<std::byte>& arena) {
    const auto pick = [&](auto n) { return static_cast<std::size_t>(rng() % n); };
    // Half the calls are mild (every argument, valid choices, small sizes, aligned buffers of
    // unknown or ample size, no mutation): they reach the selection and the launch.
    const bool mild = rng() % 2 == 0;
    static constexpr std::uint32_t kSizes[] = {1, 2, 3, 7, 16, 17, 64, 100, 128, 255, 256, 1000, 4096, 7168, 65535,
                                               1u << 20, 1u << 31, 0xffffffffu, 0};
    for (const ArgSpec& s : specs) {
      if (!mild && rng() % 12 == 0) continue;  // left out
      asmk_op_arg a{};
      a.name = s.name.c_str();
      a.type = s.type;
      switch (s.type) {
        case ASMK_VALUE_U32:
          a.value.u32 = s.kind == ASMK_OP_ARG_STRIDE && (mild || rng() % 2) ? 0
                        : mild ? kSizes[pick(10)] * 2
                               : kSizes[pick(std::size(kSizes) - (rng() % 3 ? 8 : 0))];
          break;
        case ASMK_VALUE_I32: a.value.i32 = static_cast<std::int32_t>(rng() % 64) - 32; break;
        case ASMK_VALUE_F32: {
          static constexpr float kFloats[] = {1.0f, 0.5f, -2.0f, 0.0f, 1e30f, std::numeric_limits<float>::infinity(),
                                              std::numeric_limits<float>::quiet_NaN(), 0.088f};
          a.value.f32 = kFloats[pick(std::size(kFloats))];
          break;
        }
        case ASMK_VALUE_STRING:
          a.value.string = strings_.emplace_back(s.values.empty() || (!mild && rng() % 8 == 0) ? "nonsense"
                                                 : s.values[pick(s.values.size())]).c_str();
          break;
        case ASMK_VALUE_POINTER: {
          if (!mild && rng() % 10 == 0) break;  // null
          const std::size_t offset = (!mild && rng() % 4 == 0 ? pick(64) : 256 * pick(16));
          a.value.pointer = arena.data() + offset;
          static constexpr std::size_t kBytes[] = {0, 1, 64, 4096, 1 << 20, std::numeric_limits<std::size_t>::max()};
          a.bytes = mild ? (rng() % 2 ? 0 : kBytes[5]) : kBytes[pick(std::size(kBytes))];
          break;
        }
        default: break;
      }
      args_.push_back(a);
    }
    // Mutations of the list itself.
    if (mild) {
      std::shuffle(args_.begin(), args_.end(), rng);
      return;
    }
    if (!args_.empty() && rng() % 6 == 0) args_[pick(args_.size())].type = static_cast<asmk_value_type>(pick(7));
    if (!args_.empty() && rng() % 8 == 0) args_.push_back(args_[pick(args_.size())]);  // given twice
    if (rng() % 8 == 0) {
      asmk_op_arg unknown{};
      unknown.name = "colour";
      unknown.type = ASMK_VALUE_U32;
      args_.push_back(unknown);
    }
    if (!args_.empty() && rng() % 20 == 0) args_[pick(args_.size())].name = nullptr;
    std::shuffle(args_.begin(), args_.end(), rng);
  }

  std::vector<asmk_op_arg>& args() { return args_; }

  std::string text() const {
    std::string out;
    for (const asmk_op_arg& a : args_) {
      out += fmt::format(" {}:{}=", a.name ? a.name : "(null)", static_cast<int>(a.type));
      if (a.type == ASMK_VALUE_STRING && owns(a.value.string)) out += a.value.string;
      else if (a.type == ASMK_VALUE_STRING) out += fmt::format("<not a string: {:#x}>", a.value.u64);
      else if (a.type == ASMK_VALUE_POINTER) out += fmt::format("{}/{}B", a.value.pointer, a.bytes);
      else out += std::to_string(a.value.u32);
    }
    return out;
  }

 private:
  bool owns(const char* text) const {
    for (const std::string& s : strings_)
      if (s.c_str() == text) return true;
    return false;
  }
  std::vector<asmk_op_arg> args_;
  std::deque<std::string> strings_;
};

}  // namespace asmk::test
