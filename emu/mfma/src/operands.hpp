// Decoding MFMA input elements (raw codes) into exact values, per element type and arch.
#pragma once

#include <cstdint>

#include "asmk/mfma/mfma.hpp"

namespace asmk::mfma::detail {

// Exact value of a float input code (f64/f32/xf32/f16/bf16/fp8/bf8/fp6/bf6/fp4), as binary64.
// xf32 is rounded to its 10 explicit mantissa bits first. fp8/bf8 follow the arch's formats
// (gfx942 fnuz, gfx950 OCP), decoded by asmk::ref.
double decode_float(DataType type, Arch arch, std::uint64_t code);

// Decodes `count` codes into values, choosing the decoder once (a table for 8-bit-or-narrower
// formats). Same results as decode_float() element by element.
void decode_all(DataType type, Arch arch, const std::uint64_t* codes, double* values, int count);

// f32 rounded to nearest-even at 10 explicit mantissa bits (NaN and Inf unchanged).
float round_to_xf32(float value);

}  // namespace asmk::mfma::detail
