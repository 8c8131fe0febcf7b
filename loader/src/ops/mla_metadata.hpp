// The metadata of MLA decode's persistent mode (templates/mla_decode/README.md, "Persistent mode"): the batch's
// lengths turned into balanced work items for a fixed grid of workgroups. Host code: the lengths a serving
// scheduler builds its page table from are on the host before the step, the balancing (a sort and a greedy
// assignment) is sequential and small, and the result serves every layer of the step — one copy to the device
// per batch, no launch.
#pragma once

#include <cstddef>
#include <cstdint>

namespace asmk::ops {

struct MlaMetadataProblem {
  std::uint32_t batch = 0, heads = 0, max_qlen = 0, total_q = 0, page_size = 0;
  std::uint32_t wg_rows = 0;     // rows per workgroup of the kernel that walks the list: 32 or 64
  std::uint32_t max_splits = 0;  // the most pieces of one (sequence, row block); 0: 16
  std::uint32_t work_groups = 0;  // the persistent grid; 0: compute units × workgroups per CU
  std::uint32_t compute_units = 0;
  const std::int32_t* qo_indptr = nullptr;         // [batch + 1]
  const std::int32_t* kv_indptr = nullptr;         // CSR [batch + 1], or null: seq_lens
  const std::int32_t* kv_last_page_len = nullptr;  // CSR [batch]
  const std::int32_t* seq_lens = nullptr;          // block-table form [batch]
};

struct MlaMetadataSizes {
  std::uint32_t work_groups = 0;  // the persistent grid: compute units × workgroups per CU
  std::uint64_t max_items = 0;    // the bound the work list is sized for (from the sizes alone)
  std::size_t work_bytes = 0;     // work_indptr [work_groups + 1] then max_items items of 4 i32
  std::size_t row_splits_bytes = 0;  // [total_q, heads] i32
};

struct MlaMetadataResult {
  std::uint32_t items = 0;       // work items written
  std::uint32_t num_splits = 0;  // the most pieces of a row: the partials' stride (1: none, no combine)
};

// The sizes, from the sizes of the problem only (no lengths read); a bad size is a named error.
MlaMetadataSizes mla_metadata_sizes(const MlaMetadataProblem& p);

// Checks the lengths (named errors, nothing written), then writes the work list and the per-row split counts.
// work: work_indptr [work_groups + 1] (workgroup g walks items [work_indptr[g], work_indptr[g + 1])), then the
// items {sequence, row block | (slot + 1) << 16, first tile, tiles} (tiles of 32 keys; slot: the piece's index
// among its (sequence, row block)'s pieces for the partials, slot + 1 = 0: the only piece, o written directly).
// row_splits [total_q · heads]: a row's pieces when its (sequence, row block) was cut, else 0.
MlaMetadataResult build_mla_metadata(const MlaMetadataProblem& p, void* work, std::size_t work_bytes,
                                     std::int32_t* row_splits, std::size_t row_splits_bytes);

}  // namespace asmk::ops
