// Reading the manifest's "ops" object into op specs (called by manifest.cpp).
#pragma once

#include <string>
#include <vector>

#include "../manifest_json.hpp"
#include "op_spec.hpp"

namespace asmk::ops {

// Throws BAD_REPOSITORY naming "<file>: ops.<op>.<key>" for any malformed field.
std::vector<OpSpec> read_op_specs(const Reader& ops, const std::string& file);

}  // namespace asmk::ops
