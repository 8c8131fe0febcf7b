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

}  // namespace asmk::perf
