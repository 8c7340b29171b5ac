// SPDX-License-Identifier: Apache-2.0
// src/http/nginx_problems.h - nginx's own error pages, from problems.def.
//
// nginx answers some errors itself, before or instead of a worker: a
// request line it cannot parse (400), a body over client_max_body_size
// (413), no worker listening (502), ... NginxProblemsConf() writes the
// nginx configuration that makes each of those (the NGINX_ERROR rows of
// src/http/problems.def) an application/problem+json body exactly like the
// worker's: same type URI, title and status for the same problem.
//
// `lmdbapi-worker --print-nginx-problems` prints it; make writes it to
// build/<schema>/nginx/problems.conf, which conf/nginx/dev.conf.in and
// conf/nginx/lmdb-api.conf include in their server {} block.

#ifndef LMDBAPI_HTTP_NGINX_PROBLEMS_H_
#define LMDBAPI_HTTP_NGINX_PROBLEMS_H_

#include <string>

#include "lmdbapi/status.h"

namespace lmdbapi::http {

// The error_page lines and one internal location per NGINX_ERROR row.
// Fails, naming the row, if a row names an unknown problem slug or its
// page would hold a character nginx's `return` text cannot carry ('$').
Result<std::string> NginxProblemsConf();

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_NGINX_PROBLEMS_H_
