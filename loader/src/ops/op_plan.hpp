// Planning an op call: the op spec's `rules`, then its selection policy over the kernels of its
// family on the device's arch, giving the launches (and the workspace) of the plan.
//
// Policies (docs/op-spec.md):
//  - gemm_cost: the GEMM selector of gemm_select.hpp (tiles, split-K with the reduce kernel, the
//    tuned table, the cost model of gemm_cost.hpp); the op has sizes m, n, k and tensors a and c.
//  - ranked: every kernel whose parameters match the call's choices and whose `requires` hold is
//    compared by the spec's `prefer` list (e.g. fewest masked lanes, then most busy CUs, then the
//    largest tile); the first criterion that differs decides, then the kernel name. One launch.
//  - stages: a pipeline of other ops (pipeline_plan.hpp), each planned by its own policy.
#pragma once

#include "../device.hpp"
#include "../repository.hpp"
#include "gemm_plan.hpp"
#include "op_call.hpp"

namespace asmk::ops {

// Throws UNKNOWN_FAMILY / UNSUPPORTED_ARCH / UNSUPPORTED_DTYPE / UNSUPPORTED_SHAPE naming what was
// asked and what exists. Nothing is launched.
gemm::Plan plan_op(const Repository& repository, const Device& device, const OpCall& call);

}  // namespace asmk::ops
