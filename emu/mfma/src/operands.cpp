// Input element decoding. Narrow formats are decoded by asmk::ref, the one place the numeric
// formats are defined.
#include "operands.hpp"

#include <array>
#include <bit>
#include <cmath>

#include "asmk/ref/numeric.hpp"

namespace asmk::mfma::detail {

float round_to_xf32(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  if ((bits & 0x7f800000u) == 0x7f800000u) return value;  // Inf/NaN
  constexpr std::uint32_t dropped = 13;                    // 23 - 10 mantissa bits
  const std::uint32_t rounded = bits + ((1u << (dropped - 1)) - 1) + ((bits >> dropped) & 1u);
  return std::bit_cast<float>(rounded & ~((1u << dropped) - 1));
}

namespace {

using Table = std::array<double, 256>;

// Value of every code of a narrow format, computed once through asmk::ref::decode.
template <ref::Format F>
const Table& table() {
  static const Table values = [] {
    Table t{};
    for (std::uint32_t c = 0; c < t.size(); ++c) t[c] = ref::decode(F, c);
    return t;
  }();
  return values;
}

template <ref::Format F>
double narrow(std::uint64_t code) {
  return table<F>()[code & 0xff];
}

// The decode table of an 8-bit-or-narrower input type, or nullptr for wider types.
const Table* narrow_table(DataType type, Arch arch) {
  using ref::Format;
  switch (type) {
    case DataType::fp8: return arch == Arch::gfx942 ? &table<Format::e4m3fnuz>() : &table<Format::e4m3fn>();
    case DataType::bf8: return arch == Arch::gfx942 ? &table<Format::e5m2fnuz>() : &table<Format::e5m2>();
    case DataType::fp6: return &table<Format::e2m3>();
    case DataType::bf6: return &table<Format::e3m2>();
    case DataType::fp4: return &table<Format::e2m1>();
    default: return nullptr;
  }
}

}  // namespace

double decode_float(DataType type, Arch arch, std::uint64_t code) {
  using ref::Format;
  switch (type) {
    case DataType::f64: return std::bit_cast<double>(code);
    case DataType::f32: return std::bit_cast<float>(static_cast<std::uint32_t>(code));
    case DataType::xf32: return round_to_xf32(std::bit_cast<float>(static_cast<std::uint32_t>(code)));
    case DataType::f16: return ref::fp16_to_f32(static_cast<std::uint16_t>(code));
    case DataType::bf16: return ref::bf16_to_f32(static_cast<std::uint16_t>(code));
    case DataType::fp8:
      return arch == Arch::gfx942 ? narrow<Format::e4m3fnuz>(code) : narrow<Format::e4m3fn>(code);
    case DataType::bf8:
      return arch == Arch::gfx942 ? narrow<Format::e5m2fnuz>(code) : narrow<Format::e5m2>(code);
    case DataType::fp6: return narrow<Format::e2m3>(code & 0x3f);
    case DataType::bf6: return narrow<Format::e3m2>(code & 0x3f);
    case DataType::fp4: return narrow<Format::e2m1>(code & 0xf);
    case DataType::i8: return static_cast<std::int8_t>(code);
    case DataType::i32: return static_cast<std::int32_t>(code);
  }
  return std::nan("");
}

void decode_all(DataType type, Arch arch, const std::uint64_t* codes, double* values, int count) {
  if (const Table* t = narrow_table(type, arch)) {
    // Codes are already masked to their width by the operand reader.
    for (int e = 0; e < count; ++e) values[e] = (*t)[codes[e] & 0xff];
    return;
  }
  for (int e = 0; e < count; ++e) values[e] = decode_float(type, arch, codes[e]);
}

}  // namespace asmk::mfma::detail
