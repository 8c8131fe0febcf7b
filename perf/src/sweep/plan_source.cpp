#include "plan_source.hpp"

#include "error.hpp"

namespace asmk::perf {

Expected<std::shared_ptr<PlanSource>> open_plan_source(const std::filesystem::path& repo, const Machine& machine) {
  try {
    // The machine's arch and CU count: libasmk's split-K rule depends on the CUs.
    Device device = device_by_arch(machine.arch, machine.compute_units);
    device.name = machine.name;
    return std::make_shared<PlanSource>(PlanSource{Repository::open(repo), std::move(device), {}});
  } catch (const Error& error) {
    return Status::error("libasmk cannot plan for " + machine.name + " with " + repo.string() + ": " + error.what());
  }
}

Expected<std::vector<asmk_op_arg>> kernel_op_args(const ops::OpSpec& spec, const KernelEntry& kernel, const Shape& shape) {
  std::vector<asmk_op_arg> args;
  for (const std::string& size : spec.sizes) {
    const uint64_t value = size == "m" ? shape.m : size == "n" ? shape.n : size == "k" ? shape.k : 0;
    if (value == 0 || value > UINT32_MAX)
      return Status::error("the sweep's shapes give m, n, k; op " + spec.name + " needs " + size + "=" +
                           std::to_string(value) + " (1 .. 2^32 - 1)");
    asmk_op_arg& a = args.emplace_back();
    a.name = size.c_str();
    a.type = ASMK_VALUE_U32;
    a.value.u32 = uint32_t(value);
  }
  for (const ops::OpChoice& c : spec.choices) {
    const auto it = kernel.params.find(c.param);
    asmk_op_arg& a = args.emplace_back();
    a.name = c.name.c_str();
    a.type = ASMK_VALUE_STRING;
    a.value.string = it == kernel.params.end() ? c.implied.c_str() : it->second.c_str();
  }
  return args;
}

}  // namespace asmk::perf
