// SPDX-License-Identifier: Apache-2.0
// src/admin/args.h - a command line split into options and operands.
//
// GNU style, kept small: "--name value", "--name=value" and "--flag", in
// any position; "--" ends the options; everything else is an operand.
// Only the options a command declares are accepted, so a typo is an error
// that names it, never a silently ignored word.

#ifndef LMDBAPI_ADMIN_ARGS_H_
#define LMDBAPI_ADMIN_ARGS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lmdbapi/status.h"

namespace lmdbapi::admin {

struct OptionSpec {
  std::string name;  // without the dashes: "path"
  bool takes_value = false;
};

struct Args {
  std::vector<std::string> operands;
  std::map<std::string, std::string> options;  // flags map to ""

  bool Has(const std::string& name) const { return options.count(name) > 0; }
  std::optional<std::string> Get(const std::string& name) const;
};

//   kInvalidArgument  an undeclared option, or one missing its value
//                     (subject: the option)
Result<Args> ParseArgs(const std::vector<std::string>& args,
                       const std::vector<OptionSpec>& specs);

// A whole number in [lo, hi] for --name; the error names the option.
Result<std::uint64_t> WholeOption(const Args& args, const std::string& name,
                                  std::uint64_t dflt, std::uint64_t lo,
                                  std::uint64_t hi);

}  // namespace lmdbapi::admin

#endif  // LMDBAPI_ADMIN_ARGS_H_
