// Shared by every corpus kernel. There is no device library: only __builtin_amdgcn_* builtins.
#pragma once

// No implicit a*b+c fusion: each kernel writes __builtin_fmaf where it wants a fused result,
// so the host reference knows exactly which operations round.
#pragma OPENCL FP_CONTRACT OFF

#define LID_X() __builtin_amdgcn_workitem_id_x()
#define LID_Y() __builtin_amdgcn_workitem_id_y()
#define LID_Z() __builtin_amdgcn_workitem_id_z()
#define GID_X() (__builtin_amdgcn_workgroup_id_x() * __builtin_amdgcn_workgroup_size_x() + __builtin_amdgcn_workitem_id_x())
#define GID_Y() (__builtin_amdgcn_workgroup_id_y() * __builtin_amdgcn_workgroup_size_y() + __builtin_amdgcn_workitem_id_y())
#define GID_Z() (__builtin_amdgcn_workgroup_id_z() * __builtin_amdgcn_workgroup_size_z() + __builtin_amdgcn_workitem_id_z())

// A workgroup barrier that also orders LDS accesses (what OpenCL's barrier(CLK_LOCAL_MEM_FENCE) does).
#define WORKGROUP_BARRIER()                                \
  do {                                                     \
    __builtin_amdgcn_fence(__ATOMIC_RELEASE, "workgroup"); \
    __builtin_amdgcn_s_barrier();                          \
    __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "workgroup"); \
  } while (0)

// The lane's index inside its wave64.
#define LANE_ID() __builtin_amdgcn_mbcnt_hi(~0u, __builtin_amdgcn_mbcnt_lo(~0u, 0u))
