// The `stages` policy: an op that runs other ops in order (docs/op-spec.md, "Pipeline ops") —
// e.g. MLA decode's split pass and its LSE combine, or fused MoE's routing, sorting and two expert
// GEMMs. Each stage is planned as a call of its own op (its own rules and selection), with
// arguments taken from the pipeline's by name; temporaries are carved from the pipeline's
// workspace tensor. The stages' launches become the pipeline's, their pointers re-bound to the
// pipeline's tensors (a temporary: the workspace plus its offset).
#pragma once

#include "../device.hpp"
#include "../repository.hpp"
#include "gemm_plan.hpp"
#include "op_call.hpp"

namespace asmk::ops {

gemm::Plan plan_pipeline(const Repository& repository, const Device& device, const OpCall& call);

}  // namespace asmk::ops
