#include "op_call.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "../error.hpp"
#include "buffer_checks.hpp"

namespace asmk::ops {
namespace {

std::string_view type_name(asmk_value_type type) {
  switch (type) {
    case ASMK_VALUE_POINTER: return "pointer";
    case ASMK_VALUE_U32: return "u32";
    case ASMK_VALUE_I32: return "i32";
    case ASMK_VALUE_U64: return "u64";
    case ASMK_VALUE_I64: return "i64";
    case ASMK_VALUE_F32: return "f32";
    case ASMK_VALUE_STRING: return "string";
    default: return "unknown type";
  }
}

// The caller's arguments by name, each taken at most once; what is left over is refused.
class Given {
 public:
  Given(const OpSpec& op, std::span<const asmk_op_arg> args) : op_(op), args_(args), used_(args.size(), false) {
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (args[i].name == nullptr)
        fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{}: argument {} has a null name", op.name, i));
      for (std::size_t j = 0; j < i; ++j)
        if (std::strcmp(args[i].name, args[j].name) == 0)
          fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{}: argument '{}' is given twice", op.name, args[i].name));
    }
  }

  // The argument `name` of `type` (nullptr when absent); another type is INVALID_ARGUMENT.
  const asmk_op_arg* take(std::string_view name, asmk_value_type type) {
    for (std::size_t i = 0; i < args_.size(); ++i)
      if (name == args_[i].name) {
        used_[i] = true;
        if (args_[i].type != type)
          fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{}: argument '{}' is given as {}, the op takes a {}", op_.name,
                                                        name, type_name(args_[i].type), type_name(type)));
        if (type == ASMK_VALUE_STRING && args_[i].value.string == nullptr)
          fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{}: argument '{}' is a null string", op_.name, name));
        return &args_[i];
      }
    return nullptr;
  }

  void refuse_unused() const {
    for (std::size_t i = 0; i < args_.size(); ++i)
      if (!used_[i])
        fail(ASMK_ERROR_INVALID_ARGUMENT,
             fmt::format("{} has no argument '{}'; its arguments: {}", op_.name, args_[i].name, op_.arguments_text()));
  }

 private:
  const OpSpec& op_;
  std::span<const asmk_op_arg> args_;
  std::vector<bool> used_;
};

bool gives_dtype(const OpSpec& op, std::string_view choice) {
  return std::any_of(op.tensors.begin(), op.tensors.end(), [&](const OpTensor& t) { return t.dtype == choice; });
}

}  // namespace

OpCall::OpCall(const OpSpec& spec, std::span<const asmk_op_arg> args, bool running) : spec_(spec), running_(running) {
  Given given(spec, args);
  const auto set_integer = [&](const std::string& name, std::int64_t value) { integers_.emplace_back(name, value); };

  for (const std::string& name : spec.sizes) {
    const asmk_op_arg* a = given.take(name, ASMK_VALUE_U32);
    if (a == nullptr)
      fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{}: size '{}' is missing (sizes: {})", spec.name, name,
                                                    fmt::join(spec.sizes, ", ")));
    set_integer(name, a->value.u32);
    values_.push_back({name, a->value.u32});
  }
  for (const std::string& name : spec.sizes)
    if (*integer(name) == 0)
      fail(ASMK_ERROR_UNSUPPORTED_SHAPE,
           fmt::format("{}: {} has an empty dimension; {} must be >= 1", spec.name, text(), fmt::join(spec.sizes, ", ")));
  for (const auto& [name, value] : spec.values) {
    set_integer(name, value);
    if (value >= 0 && value <= std::numeric_limits<std::uint32_t>::max())
      values_.push_back({name, static_cast<std::uint32_t>(value)});
  }
  for (const OpChoice& c : spec.choices) {
    const asmk_op_arg* a = given.take(c.name, ASMK_VALUE_STRING);
    std::string value = a ? a->value.string : c.default_value;
    if (value == "fp32" && std::find(c.values.begin(), c.values.end(), "f32") != c.values.end())
      value = "f32";  // asmk_dtype_name's spelling of the manifests' f32
    const auto it = std::find(c.values.begin(), c.values.end(), value);
    if (it == c.values.end())
      fail(gives_dtype(spec, c.name) ? ASMK_ERROR_UNSUPPORTED_DTYPE : ASMK_ERROR_UNSUPPORTED_SHAPE,
           fmt::format("{}: {}={} is not supported; {} can be: {}", spec.name, c.name, a ? a->value.string : value,
                       c.name, fmt::join(c.values, ", ")));
    choices_.emplace_back(c.name, value);
    set_integer(c.name, Expr::string_id(value));
    values_.push_back({c.name, Expr::string_id(value)});  // for `rules` that compare it ('row')
  }
  const auto applies = [&](const Expr& when, const std::string& scalar) {
    try {
      return when.evaluate([this](std::string_view name) { return integer(name); }) != 0;
    } catch (const ExprError& e) {
      fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("op spec {}: scalars.{}.applies_when '{}': {}", spec.name, scalar,
                                                  when.text(), e.what()));
    }
  };
  for (const OpScalar& s : spec.scalars) {
    const auto missing = [&](const asmk_op_arg* a) {
      if (a == nullptr && s.required)
        fail(ASMK_ERROR_INVALID_ARGUMENT, fmt::format("{}: scalar '{}' is missing (it has no default: {})", spec.name,
                                                      s.name, s.doc));
      return a == nullptr;
    };
    if (s.type == OpScalar::Type::u32) {
      const asmk_op_arg* a = given.take(s.name, ASMK_VALUE_U32);
      const std::uint32_t v = missing(a) ? static_cast<std::uint32_t>(s.default_value) : a->value.u32;
        set_integer(s.name, v);
      values_.push_back({s.name, v});
    } else if (s.type == OpScalar::Type::i32) {
      const asmk_op_arg* a = given.take(s.name, ASMK_VALUE_I32);
      const std::int32_t v = missing(a) ? static_cast<std::int32_t>(s.default_value) : a->value.i32;
        set_integer(s.name, v);
      values_.push_back({s.name, v});
    } else {
      const asmk_op_arg* a = given.take(s.name, ASMK_VALUE_F32);
      const float v = missing(a) ? static_cast<float>(s.default_value) : a->value.f32;
        values_.push_back({s.name, v});
    }
    const double v = s.type == OpScalar::Type::f32 ? double(std::get<float>(values_.back().value))
                     : s.type == OpScalar::Type::i32 ? double(std::get<std::int32_t>(values_.back().value))
                                                     : double(std::get<std::uint32_t>(values_.back().value));
    if ((s.min && !(v >= *s.min)) || (s.above && !(v > *s.above)))
      fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: {}={} is outside its range ({}{}{})", spec.name, s.name, v,
                                                     s.min ? fmt::format(">= {}", *s.min) : "",
                                                     s.min && s.above ? ", " : "",
                                                     s.above ? fmt::format("> {}", *s.above) : ""));
    if (s.applies_when && v != s.default_value && !applies(*s.applies_when, s.name))
      fail(ASMK_ERROR_INVALID_ARGUMENT,
           fmt::format("{}: {}={} is read only when {}, not for {}: the kernels would ignore it (leave it at {})",
                       spec.name, s.name, v, s.applies_when->text(), text(), s.default_text));
  }

  const Expr::Lookup lookup = [this](std::string_view name) { return integer(name); };
  for (const OpTensor& t : spec.tensors) {
    CallTensor ct;
    ct.spec = &t;
    // The dtype as a string of the spec (it outlives the call: asmk_op_tensor_at hands it out).
    ct.dtype = t.dtype;
    if (dtype_bits(t.dtype) == 0)
      for (const std::string& value : spec.choice(t.dtype)->values)
        if (value == choice(t.dtype)) ct.dtype = value;
    ct.bits = dtype_bits(ct.dtype);
    for (std::size_t d = 0; d < t.shape.size(); ++d) {
      std::int64_t extent = 0;
      try {
        extent = t.shape[d].evaluate(lookup);
      } catch (const ExprError& e) {
        fail(ASMK_ERROR_BAD_REPOSITORY, fmt::format("op spec {}: tensors.{}.shape[{}] '{}': {}", spec.name, t.name, d,
                                                    t.shape[d].text(), e.what()));
      }
      if (extent < 0)
        fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: {} gives tensor {} a negative extent {} ({})", spec.name,
                                                       text(), t.name, extent, t.shape[d].text()));
      ct.shape.push_back(static_cast<std::uint64_t>(extent));
    }
    // Packed strides, innermost first; a sub-byte dtype counts bytes. A dimension without a stride
    // argument is packed.
    const bool sub_byte = ct.bits < 8;
    const std::size_t outer = ct.shape.empty() ? 0 : ct.shape.size() - 1;
    std::vector<std::uint64_t> packed(outer);
    std::uint64_t inner = ct.shape.empty() ? 0 : sub_byte ? (ct.shape.back() * ct.bits + 7) / 8 : ct.shape.back();
    for (std::size_t d = outer; d-- > 0;) {
      packed[d] = inner;
      inner = saturating_mul(inner, ct.shape[d]);
    }
    ct.strides = packed;
    for (std::size_t d = 0; d < t.strides.size(); ++d) {
      const std::string& name = t.strides[d];
      const asmk_op_arg* a = given.take(name, ASMK_VALUE_U32);
      const std::uint32_t raw = a ? a->value.u32 : 0;
        const std::uint64_t stride = raw == 0 ? packed[d] : raw;
      const std::string_view unit = sub_byte || ct.bits == 8 ? "bytes" : "elements";
      if (d + 1 == t.strides.size() && raw != 0 && raw < packed[d])
        fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: {}={} {} is smaller than a row ({} {} of {}; rows would "
                                                       "overlap; 0 means packed)", spec.name, name, raw, unit,
                                                       packed[d], unit, t.name));
      if (stride > std::numeric_limits<std::uint32_t>::max())
        fail(ASMK_ERROR_UNSUPPORTED_SHAPE, fmt::format("{}: the packed {} of tensor {} is {} {}, above the 32-bit "
                                                       "stride argument", spec.name, name, t.name, stride, unit));
      ct.strides[d] = stride;
      set_integer(name, static_cast<std::int64_t>(stride));
      values_.push_back({name, static_cast<std::uint32_t>(stride)});
    }
    // The bytes the kernels may touch: the last element's offset plus one element.
    if (!t.workspace && std::find(ct.shape.begin(), ct.shape.end(), 0) == ct.shape.end()) {
      std::uint64_t last = 0;
      for (std::size_t d = 0; d + 1 < ct.shape.size(); ++d)
        last = saturating_add(last, saturating_mul(ct.shape[d] - 1, ct.strides[d]));
      ct.bytes = sub_byte ? saturating_add(last, (ct.shape.back() * ct.bits + 7) / 8)
                          : saturating_mul(saturating_add(last, ct.shape.back()), ct.bits / 8);
    }
    if (const asmk_op_arg* a = given.take(t.name, ASMK_VALUE_POINTER)) {
      ct.pointer = a->value.pointer;
      ct.caller_bytes = a->bytes;
    }
    if (t.workspace) workspace_budget_ = running && ct.pointer == nullptr ? 0 : ct.caller_bytes;
    values_.push_back({t.name, ct.pointer});
    tensors_.push_back(std::move(ct));
  }
  given.refuse_unused();
}

std::optional<std::int64_t> OpCall::integer(std::string_view name) const {
  for (const auto& [n, v] : integers_)
    if (n == name) return v;
  return std::nullopt;
}

const std::string* OpCall::choice_if(std::string_view name) const {
  for (const auto& [n, v] : choices_)
    if (n == name) return &v;
  return nullptr;
}

const std::string& OpCall::choice(std::string_view name) const {
  if (const std::string* v = choice_if(name)) return *v;
  fail(ASMK_ERROR_INTERNAL, fmt::format("{}: no choice '{}'", spec_.name, name));
}

const CallTensor* OpCall::tensor(std::string_view name) const {
  for (const CallTensor& t : tensors_)
    if (t.spec->name == name) return &t;
  return nullptr;
}

std::uint32_t OpCall::size(std::string_view name) const {
  if (std::find(spec_.sizes.begin(), spec_.sizes.end(), name) == spec_.sizes.end()) return 0;
  return static_cast<std::uint32_t>(integer(name).value_or(0));
}

std::string OpCall::text() const {
  std::string out;
  for (const std::string& s : spec_.sizes)
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", s, integer(s).value_or(0));
  for (const auto& [name, value] : choices_) out += fmt::format(" {}={}", name, value);
  return out;
}

std::string CallTensor::shape_text(const OpSpec& op) const {
  // "m=64 k=7168 stride_a=7168 bf16": each extent by its expression, then the strides and dtype.
  std::string out;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    const std::string& text = spec->shape[d].text();
    const bool name = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isalnum(c) || c == '_'; });
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", name ? text : "(" + text + ")", shape[d]);
  }
  for (std::size_t d = 0; d < spec->strides.size(); ++d) out += fmt::format(" {}={}", spec->strides[d], strides[d]);
  (void)op;
  return fmt::format("{} {}", out, dtype);
}

}  // namespace asmk::ops
