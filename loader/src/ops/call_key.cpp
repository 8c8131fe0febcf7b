#include "call_key.hpp"

#include <cstring>

#include "op_spec.hpp"

namespace asmk::ops {
namespace {

std::uint64_t text_hash(const char* text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  if (text == nullptr) return 0;
  for (; *text != 0; ++text) h = (h ^ static_cast<unsigned char>(*text)) * 0x100000001b3ULL;
  return h;
}

const char* workspace_name(const OpSpec& op) {
  for (const OpTensor& t : op.tensors)
    if (t.workspace) return t.name.c_str();
  return nullptr;
}

}  // namespace

CacheKey call_key(const OpSpec& op, Purpose purpose, std::span<const asmk_op_arg> args) {
  CacheKey key(op.name, purpose);
  const char* workspace = workspace_name(op);
  for (const asmk_op_arg& a : args) {
    key.add(text_hash(a.name) ^ (static_cast<std::uint64_t>(a.type) << 56));
    switch (a.type) {
      case ASMK_VALUE_POINTER:
        key.add_alignment(a.value.pointer);
        if (workspace != nullptr && a.name != nullptr && std::strcmp(a.name, workspace) == 0)
          key.add(purpose == Purpose::run && a.value.pointer == nullptr ? 0 : a.bytes);
        break;
      case ASMK_VALUE_U32:
      case ASMK_VALUE_I32:
      case ASMK_VALUE_F32: key.add(a.value.u32); break;  // the other bytes of the union are not the caller's
      case ASMK_VALUE_STRING: key.add(text_hash(a.value.string)); break;
      default: key.add(a.value.u64); break;
    }
  }
  return key;
}

}  // namespace asmk::ops
