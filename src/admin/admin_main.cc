// SPDX-License-Identifier: Apache-2.0
// src/admin/admin_main.cc - lmdbapi-admin: the operator's tool (cli.h).

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "admin/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  lmdbapi::admin::Io io;
  io.in = &std::cin;
  io.out = &std::cout;
  io.err = &std::cerr;
  io.progress = isatty(2) != 0;
  io.getenv = [](const char* name) { return std::getenv(name); };
  std::vector<std::string> args(argv + 1, argv + argc);
  int rc = lmdbapi::admin::Run(args, io);
  std::cout.flush();
  return rc;
}
