// The `--json` forms of the CLI's outputs: the same facts as the text, one JSON document on stdout.
#pragma once

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace asmk::cli {

// A kernel as its manifest entry holds it: names, parameters (typed), resources, argument layout.
nlohmann::ordered_json kernel_json(const KernelView& kernel);  // keys in the manifest's order

}  // namespace asmk::cli
