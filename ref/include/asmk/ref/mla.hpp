// Reference weight-absorbed MLA decode (DeepSeek's multi-head latent attention over a paged latent KV
// cache, the mla_decode kernels' contract), in fp64 on decoded inputs:
//
//   q   [tokens, heads, 576]   (512 latent + 64 rope), bf16 or fp8 codes · q_scale
//   kv  [pages, page_size, 576] one latent row per cached token, bf16 or fp8 codes · kv_scale; a key is the
//       whole row, its value the first 512 elements (K and V are the same bytes)
//   o   [tokens, heads, 512]   per (token, head) softmax(scale · q·kᵀ) · v over the token's visible keys
//   lse [tokens, heads]        natural log, −inf (and o = 0) without a visible key
//
// Sequence b owns the query tokens [qo_indptr[b], qo_indptr[b+1]) (n of them: 1..8 in decode, MTP /
// speculative decoding) and seqlen_k cached tokens; its new tokens are the last n of those keys, so query
// token t (0-based within the sequence) sees keys j < seqlen_k − n + t + 1 (causal among its own new
// tokens). Key j of sequence b is page-table entry j / page_size, slot j % page_size, in one of two forms:
//   CSR (SGLang, FlashInfer): pages kv_indices[kv_indptr[b] .. kv_indptr[b+1]), the last one holding
//       kv_last_page_len[b] tokens: seqlen_k = (pages − 1) · page_size + last_page_len (0 with no page);
//   block table (vLLM): pages block_table[b · block_table_stride + ...], seqlen_k = seq_lens[b].
// Page indices are checked against num_pages (an index outside the cache is an error, as the kernels'
// op must make it one).
//
// Split-KV: the keys of a sequence are cut into num_splits ranges of mla_split_keys(seqlen_k, ...) keys
// (the last ones shorter or empty); split s gives the partial o_s (normalized over its keys) and lse_s
// (−inf, o_s = 0 when it has no visible key), and the LSE combine merges them:
//   lse = ln Σ_s e^(lse_s),   o = Σ_s e^(lse_s − lse) · o_s      (lse −inf and o = 0 when every lse_s is −inf)
// which is the unsplit result exactly in real arithmetic.
//
// Like attention.hpp this is two passes over each row's keys (maximum, then sums) — no online softmax —
// and its results are AttentionRef rows, so attention.hpp's tolerance rule (ref/TOLERANCE.md,
// "Attention") and compare_attention apply unchanged.
#pragma once

#include <cstdint>
#include <vector>

#include "asmk/ref/attention.hpp"
#include "asmk/ref/numeric.hpp"
#include "asmk/ref/status.hpp"

namespace asmk::ref {

constexpr std::uint32_t kMlaHeadDimQk = 576;  // 512 latent (= V) + 64 rope
constexpr std::uint32_t kMlaHeadDimV = 512;

struct MlaDecodeArgs {
  Format q_format = Format::bf16;   // bf16 or an fp8 format
  Format kv_format = Format::bf16;  // bf16 or an fp8 format
  const void* q = nullptr;          // token t, head h at t·q_stride_token + h·q_stride_head (elements)
  const void* kv = nullptr;         // cached token (page p, slot i) at (p·page_size + i)·kv_stride_token
  std::uint64_t q_stride_token = 0, q_stride_head = kMlaHeadDimQk, kv_stride_token = kMlaHeadDimQk;
  std::uint32_t batch = 0, heads = 0, page_size = 1;
  std::uint64_t num_pages = 0;            // pages in the cache
  const std::int32_t* qo_indptr = nullptr;  // [batch + 1], non-decreasing from 0
  // CSR form (kv_indptr not null) ...
  const std::int32_t* kv_indptr = nullptr;        // [batch + 1]
  const std::int32_t* kv_indices = nullptr;       // [kv_indptr[batch]]
  const std::int32_t* kv_last_page_len = nullptr; // [batch], 1..page_size for a sequence with pages
  // ... or the block-table form (kv_indptr null)
  const std::int32_t* block_table = nullptr;  // [batch, block_table_stride]
  std::uint64_t block_table_stride = 0;
  const std::int32_t* seq_lens = nullptr;     // [batch]
  double scale = 1.0;                 // softmax scale (DeepSeek: yarn factor / sqrt(192))
  double softcap = 0.0;               // > 0: s = softcap · tanh(s / softcap)
  double q_scale = 1.0, kv_scale = 1.0;  // multiply the decoded codes (fp8's per-tensor scales)
};

// Keys per split: ceil(seqlen_k / num_splits) rounded up to a multiple of `granule` (the kernels' key
// tile), so that every split but the last ones starts on a tile. Split s covers keys
// [s·n, min((s+1)·n, seqlen_k)).
std::uint32_t mla_split_keys(std::uint32_t seqlen_k, std::uint32_t num_splits, std::uint32_t granule);

// The lengths the arguments give: seqlen_k of each sequence (an error for malformed page tables or
// qo_indptr, naming the sequence).
Status mla_seqlens_k(const MlaDecodeArgs& args, std::vector<std::uint32_t>& out);

// Rows r = token·heads + h (token over the whole batch), head_dim_v 512.
Status mla_decode(const MlaDecodeArgs& args, AttentionRef& out);

// The partials of split-KV: rows r = (token·heads + h)·num_splits + s, each an attention over split s's
// keys (o_s normalized, lse_s natural log).
Status mla_decode_split(const MlaDecodeArgs& args, std::uint32_t num_splits, std::uint32_t granule, AttentionRef& out);

// Split-KV with a split plan: every sequence's split s covers keys [s·n, (s+1)·n) ∩ [0, seqlen_k) with the same
// n = keys_per_split (an error when num_splits of them do not cover a sequence), rows as mla_decode_split's.
Status mla_decode_split_planned(const MlaDecodeArgs& args, std::uint32_t num_splits, std::uint32_t keys_per_split,
                                AttentionRef& out);

// The split plan's rule (templates/mla_decode_plan): tiles of `granule` keys per split from each sequence's
// key count (the kernel takes a CSR sequence's pages · page_size), T = Σ tiles, L = max tiles:
//   n0 = max(ceil(T / work_target), ceil(L / num_splits), min_tiles, 1), then the smallest n in
//   [n0, n0 + floor(n0 / 4)] with Σ_b ceil(tiles_b / n) <= work_target (the splits over the batch fit the
//   target: no extra round of workgroups for a few rounded-up ones), or n0 when none does.
std::uint32_t mla_plan_split_tiles(const std::vector<std::uint32_t>& keys, std::uint32_t num_splits,
                                   std::uint32_t work_target, std::uint32_t min_tiles, std::uint32_t granule);

// The LSE combine of partials given as numbers (the kernels' fp32 workspace): partial_o
// [rows, splits, dv] and partial_lse [rows, splits], packed; the o_s of an empty split (lse_s = −inf) is not
// read (its producer need not write it). Results per row: o [rows, dv], lse [rows],
// and what the error scales with (weighted = Σ_s w_s·|o_s| per element, w_s = e^(lse_s − lse)).
struct LseCombineRef {
  std::uint32_t rows = 0, splits = 0, dv = 0;
  std::vector<double> out, weighted;  // [rows, dv]
  std::vector<double> lse;            // [rows]
  std::vector<double> lse_mag;        // [rows]: max |lse_s| over the splits with keys
};
Status lse_combine(const float* partial_o, const float* partial_lse, std::uint32_t rows, std::uint32_t splits,
                   std::uint32_t dv, LseCombineRef& out);

// |kernel − reference| allowed for a combined element, the output rounded to `out` (ref/TOLERANCE.md,
// "LSE combine"), and for the combined lse.
double lse_combine_tolerance(const LseCombineRef& ref, std::size_t row, std::uint32_t col, OutType out);
double lse_combine_lse_tolerance(const LseCombineRef& ref, std::size_t row);

}  // namespace asmk::ref
