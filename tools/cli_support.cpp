#include "cli_support.hpp"

#include <cstdlib>

namespace asmk::cli {

void check(asmk_status status) {
  if (status != ASMK_SUCCESS) throw Failure(fmt::format("{}: {}", asmk_status_string(status), asmk_last_error()));
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
