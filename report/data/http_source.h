// http sources: one request with libcurl to an allow-listed host, the JSON
// response turned into a Table (json_records.h). Not responsible for
// retries or caching (the collect stage's), nor for reading the config
// (the caller passes the option strings through the parsers below).
//
// Safety: the host is checked against the allow-list before any request;
// only http and https; redirects are not followed (a 3xx fails); the body
// is capped at max_response_bytes; bearer tokens come from environment
// variables and never appear in messages (response bodies are not quoted
// in errors, and any text that would carry the token is redacted).
//
// Errors (transient ones are retried by the caller, see source.h):
//   PERMISSION_DENIED   host not in http.allow_hosts (no request is made)
//   INVALID_ARGUMENT    bad URL or scheme, a response that is not the
//                       expected JSON (json_records.h)
//   UNAVAILABLE         connection refused, DNS failure, reset, HTTP 5xx
//                       and 408 (transient)
//   DEADLINE_EXCEEDED   ctx.timeout passed (transient)
//   RESOURCE_EXHAUSTED  HTTP 429 (transient)
//   NOT_FOUND           HTTP 404 and 410
//   FAILED_PRECONDITION other 4xx, 3xx, a body over max_response_bytes (it
//                       will not shrink on retry), a TLS verification
//                       failure, a bearer-token variable that is not set
//   CANCELLED           ctx.cancelled said so
// Messages name the source, the method and the URL as written in the
// template, and the HTTP status. Safe to call concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "common/table/table.h"
#include "common/template/template.h"
#include "report/data/source.h"

namespace quire {

struct HttpOptions {
  // Lower-case "host" (any port) or "host:port" entries; empty allows none.
  std::vector<std::string> allow_hosts;
  // Largest response body accepted, in bytes.
  size_t max_response_bytes = 16 * 1024 * 1024;
  // Host ("host" or "host:port", lower-case) -> the name of the environment
  // variable holding its bearer token.
  std::map<std::string, std::string> bearer_token_env;
  // Time limit of connecting, capped by the fetch's own timeout.
  std::chrono::milliseconds connect_timeout{10000};
};

// http.allow_hosts: comma-separated "host" or "host:port" entries (IPv6 in
// brackets), blanks around entries ignored, lower-cased. INVALID_ARGUMENT
// naming the bad entry (a URL, a bad port, characters a host cannot have).
StatusOr<std::vector<std::string>> ParseHostList(std::string_view text);

// http.bearer_tokens: comma-separated host=ENV_VAR pairs. INVALID_ARGUMENT
// naming the bad entry (no '=', a bad host, a bad variable name).
StatusOr<std::map<std::string, std::string>> ParseBearerTokens(std::string_view text);

// Fetches spec.url (spec.method, spec.headers, spec.body) within
// ctx.timeout and builds the table of the records at spec.pointer.
// POST sends Content-Type: application/json unless spec.headers sets one.
// A host with a bearer token gets "Authorization: Bearer <token>" unless
// spec.headers sets Authorization itself.
StatusOr<Table> FetchHttpSource(const SourceSpec& spec, const HttpOptions& options,
                                const FetchContext& ctx);

}  // namespace quire
