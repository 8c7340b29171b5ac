// SPDX-License-Identifier: Apache-2.0
// src/admin/args.cc - see args.h.

#include "admin/args.h"

#include <charconv>

namespace lmdbapi::admin {

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = options.find(name);
  if (it == options.end()) return std::nullopt;
  return it->second;
}

Result<Args> ParseArgs(const std::vector<std::string>& args,
                       const std::vector<OptionSpec>& specs) {
  Args out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.operands.insert(out.operands.end(), args.begin() + i + 1,
                          args.end());
      break;
    }
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      out.operands.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (std::size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : specs)
      if (s.name == name) spec = &s;
    if (spec == nullptr)
      return Status::InvalidArgument(name, "unknown option --" + name);
    if (spec->takes_value && !value) {
      if (i + 1 == args.size())
        return Status::InvalidArgument(name, "--" + name + " needs a value");
      value = args[++i];
    }
    if (!spec->takes_value && value)
      return Status::InvalidArgument(name, "--" + name + " takes no value");
    out.options[name] = value.value_or("");
  }
  return out;
}

Result<std::uint64_t> WholeOption(const Args& args, const std::string& name,
                                  std::uint64_t dflt, std::uint64_t lo,
                                  std::uint64_t hi) {
  std::optional<std::string> text = args.Get(name);
  if (!text) return dflt;
  std::uint64_t v = 0;
  const char* end = text->data() + text->size();
  auto [p, ec] = std::from_chars(text->data(), end, v);
  if (text->empty() || ec != std::errc() || p != end || v < lo || v > hi)
    return Status::InvalidArgument(
        name, "--" + name + ": \"" + *text + "\" is not a whole number in " +
                  std::to_string(lo) + ".." + std::to_string(hi));
  return v;
}

}  // namespace lmdbapi::admin
