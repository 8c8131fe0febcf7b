#include "code_objects.hpp"

namespace asmk::hsa_emu {

Executable::~Executable() {
  for (const auto& s : symbols_) runtime_.remove_kernel(s->kernel_object);
}

hsa_status_t Executable::load(hsa_agent_t agent_handle, const CodeObjectReader& reader) {
  const Agent* agent = runtime_.agent(agent_handle);
  if (agent == nullptr || !agent->gpu) {
    set_last_detail("hsa_executable_load_agent_code_object: not a GPU agent");
    return HSA_STATUS_ERROR_INVALID_AGENT;
  }
  if (frozen_) {
    set_last_detail("hsa_executable_load_agent_code_object: the executable is frozen");
    return HSA_STATUS_ERROR_FROZEN_EXECUTABLE;
  }
  auto loaded = emu::CodeObject::load(reader.bytes);
  if (!loaded) {
    set_last_detail("the code object cannot be loaded: " + loaded.error());
    return HSA_STATUS_ERROR_INVALID_CODE_OBJECT;
  }
  const std::shared_ptr<const emu::CodeObject> code_object = *loaded;
  if (emu::arch_name(code_object->arch()) != agent->config.arch) {
    set_last_detail("the code object is for " + std::string(emu::arch_name(code_object->arch())) + ", the agent is " +
                    agent->config.arch);
    return HSA_STATUS_ERROR_INCOMPATIBLE_ARGUMENTS;
  }
  for (const emu::Kernel& kernel : code_object->kernels()) {
    auto symbol = std::make_unique<ExecutableSymbol>();
    symbol->name = kernel.name + ".kd";
    symbol->agent = agent_handle;
    symbol->kernarg_segment_size = kernel.kernarg_segment_size;
    symbol->group_segment_size = kernel.descriptor.group_segment_fixed_size;
    symbol->private_segment_size = kernel.descriptor.private_segment_fixed_size;
    symbol->kernel_object = runtime_.add_kernel({code_object, &kernel, runtime_.agent_index(agent_handle)});
    if (symbol->kernel_object == 0) {
      set_last_detail("no device memory for the kernel descriptor of " + kernel.name);
      return HSA_STATUS_ERROR_OUT_OF_RESOURCES;
    }
    symbols_.push_back(std::move(symbol));
  }
  return HSA_STATUS_SUCCESS;
}

hsa_status_t Executable::freeze() {
  if (frozen_) return HSA_STATUS_ERROR_FROZEN_EXECUTABLE;
  frozen_ = true;
  return HSA_STATUS_SUCCESS;
}

const ExecutableSymbol* Executable::symbol(std::string_view name, hsa_agent_t agent) const {
  for (const auto& s : symbols_)
    if (s->name == name && s->agent.handle == agent.handle) return s.get();
  return nullptr;
}

}  // namespace asmk::hsa_emu
