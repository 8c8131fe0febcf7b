#include "library_location.hpp"

#include <dlfcn.h>

#include <system_error>

namespace asmk {
namespace fs = std::filesystem;

namespace {

bool holds_repository(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory(ec) && fs::is_regular_file(entry.path() / "manifest.json", ec)) return true;
  return false;
}

}  // namespace

std::optional<fs::path> library_directory() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&library_directory), &info) == 0 || info.dli_fname == nullptr)
    return std::nullopt;
  fs::path file = info.dli_fname;
  std::error_code ec;
  // The main program's entry may be argv[0] as typed (relative, or a bare name found on PATH).
  if (!file.is_absolute() || !fs::exists(file, ec)) file = fs::read_symlink("/proc/self/exe", ec);
  if (ec || file.empty()) return std::nullopt;
  const fs::path resolved = fs::weakly_canonical(file, ec);
  return (ec ? file : resolved).parent_path();
}

std::optional<fs::path> installed_data_directory() {
  const auto lib = library_directory();
  if (!lib) return std::nullopt;
  for (const fs::path& relative : {fs::path(ASMK_DATA_FROM_LIBDIR), fs::path("../share/asmk")}) {
    std::error_code ec;
    const fs::path candidate = fs::weakly_canonical(*lib / relative, ec);
    if (!ec && holds_repository(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace asmk
