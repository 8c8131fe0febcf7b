#include "cli_support.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "asmk/emu/file.hpp"

namespace asmk::cli {

void check(asmk_status status) {
  if (status != ASMK_SUCCESS) throw Failure(fmt::format("{}: {}", asmk_status_string(status), asmk_last_error()));
}

std::uint64_t host_memory_budget() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_bytes = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_bytes <= 0) return std::uint64_t(1) << 30;  // unknown: 1 GiB
  return std::uint64_t(pages) * std::uint64_t(page_bytes) / 2;
}

void require_host_memory(const std::string& what, std::uint64_t bytes) {
  const std::uint64_t budget = host_memory_budget();
  if (bytes > budget)
    throw Failure(fmt::format("{} needs {} bytes of host memory, more than half of this machine's ({} bytes)", what,
                              bytes, budget));
}

std::vector<std::uint8_t> read_input_file(const std::string& path, std::uint64_t max_bytes, const std::string& what) {
  auto bytes = emu::read_regular_file(path, max_bytes, what);
  if (!bytes) throw Failure(bytes.error());
  return std::move(*bytes);
}

void require_writable_file(const std::string& option, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.empty()) throw Failure(fmt::format("{}: the output path is empty", option));
  const auto status = fs::status(path, ec);
  if (fs::is_directory(status)) throw Failure(fmt::format("{}: '{}' is a directory, not a file", option, path));
  if (fs::exists(status)) {
    if (::access(path.c_str(), W_OK) != 0) throw Failure(fmt::format("{}: '{}' is not writable", option, path));
    return;
  }
  const fs::path parent = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
  if (!fs::is_directory(parent, ec))
    throw Failure(fmt::format("{}: cannot create '{}': the folder '{}' does not exist", option, path, parent.string()));
  if (::access(parent.c_str(), W_OK) != 0)
    throw Failure(fmt::format("{}: cannot create '{}': the folder '{}' is not writable", option, path, parent.string()));
}

std::string repository_or_default(const std::string& given) {
  if (!given.empty()) return given;
  // $ASMK_REPO, else the kernels installed with libasmk (<prefix>/share/asmk; build/share/asmk in a build tree).
  if (const char* found = asmk_default_repository()) return found;
  throw Failure("no repository: give --repo or set ASMK_REPO (no kernels are installed next to libasmk)");
}

Context open_context(const std::string& repo, const std::string& device, const std::string& backend) {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.device = device.empty() ? nullptr : device.c_str();
  options.backend = backend.c_str();
  asmk_context* context = nullptr;
  check(asmk_open(repo.c_str(), &options, &context));
  return Context(context);
}

KernelView describe(const asmk_kernel* kernel) {
  KernelView view;
  check(asmk_kernel_get_info(kernel, &view.info));
  view.params.resize(view.info.param_count);
  for (size_t i = 0; i < view.params.size(); ++i) check(asmk_kernel_param_at(kernel, i, &view.params[i]));
  view.kernargs.resize(view.info.kernarg_count);
  for (size_t i = 0; i < view.kernargs.size(); ++i) check(asmk_kernel_kernarg_at(kernel, i, &view.kernargs[i]));
  return view;
}

std::string param_value_text(const asmk_param& p) {
  switch (p.type) {
    case ASMK_PARAM_STRING: return p.string_value;
    case ASMK_PARAM_INT: return std::to_string(p.int_value);
    case ASMK_PARAM_BOOL: return p.int_value ? "true" : "false";
    case ASMK_PARAM_FORCE_INT32_: break;
  }
  return "?";
}

std::string params_text(const KernelView& view) {
  std::string text;
  for (const auto& p : view.params) text += fmt::format("{}{}={}", text.empty() ? "" : " ", p.name, param_value_text(p));
  return text;
}

std::string kernarg_table(const KernelView& view) {
  return kernarg_table(view, [](const std::string&) { return std::string(); });
}

}  // namespace asmk::cli
