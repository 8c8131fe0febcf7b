// Reading one hsaco/<arch>/manifest.json (format: docs/contracts.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "kernel.hpp"
#include "ops/op_spec.hpp"

namespace asmk {

struct Manifest {
  std::string arch;
  std::string toolchain;
  std::vector<Kernel> kernels;  // code_object_path filled from the manifest's folder
  std::vector<ops::OpSpec> ops; // the op specs ("ops"; the same in every arch's manifest)
};

// Throws asmk::Error (BAD_REPOSITORY) naming the file and the offending key.
Manifest read_manifest(const std::filesystem::path& manifest_file);

}  // namespace asmk
