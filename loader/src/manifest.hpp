// Reading one hsaco/<arch>/manifest.json (format: docs/contracts.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "kernel.hpp"

namespace asmk {

struct Manifest {
  std::string arch;
  std::string toolchain;
  std::vector<Kernel> kernels;  // code_object_path filled from the manifest's folder
};

// Throws asmk::Error (BAD_REPOSITORY) naming the file and the offending key.
Manifest read_manifest(const std::filesystem::path& manifest_file);

}  // namespace asmk
