// SPDX-License-Identifier: Apache-2.0
// src/http/fcgi_response.h - a response's FastCGI records, sent with one
// writev(2).
//
// libfcgi's output stream copies a response into the request's 8 KiB
// buffer and write(2)s each time the buffer fills, and offers no way to
// give it a larger one: five writes (and five wake-ups of nginx) for a
// 35 KB page of 100 records. WriteFcgiResponse sends the same records
// straight from the caller's buffers instead: FCGI_STDOUT records holding
// `head` then `body` (each at most 65,535 bytes of content, the protocol's
// limit, without padding, which is optional), the empty FCGI_STDOUT record
// that ends the stream, and FCGI_END_REQUEST (application status 0,
// FCGI_REQUEST_COMPLETE), as libfcgi's FCGX_Finish_r would. One sendmsg(2)
// per 64 records, so one for any response under 4 MiB, unless the socket's
// buffer fills and the kernel takes part of it.
//
// The caller must not also write to the request's libfcgi stdout stream
// (FCGX_FClose on it would send a second END_REQUEST); stderr, if used, must
// be closed (flushed) first, since nothing may follow END_REQUEST.

#ifndef LMDBAPI_HTTP_FCGI_RESPONSE_H_
#define LMDBAPI_HTTP_FCGI_RESPONSE_H_

#include <string>
#include <string_view>

namespace lmdbapi::http {

// Writes on `fd` (blocking) until every byte is sent. Returns false if the
// socket fails (errno says why; a peer gone is EPIPE, never SIGPIPE).
// `request_id`: the FCGI_BEGIN_REQUEST's, 1..65535.
bool WriteFcgiResponse(int fd, int request_id, std::string_view head,
                       std::string_view body);

// For a response sent piece by piece by its caller (the change stream):
// appends `data` as FCGI_STDOUT records to *out, ...
void AppendFcgiStdout(int request_id, std::string_view data, std::string* out);
// ...and the records that end it: the empty FCGI_STDOUT and
// FCGI_END_REQUEST.
void AppendFcgiEnd(int request_id, std::string* out);

}  // namespace lmdbapi::http

#endif  // LMDBAPI_HTTP_FCGI_RESPONSE_H_
