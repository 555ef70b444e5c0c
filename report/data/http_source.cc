// http sources: the option parsers, the allow-list check and one libcurl
// transfer, its outcome mapped onto the source error classes.
#include "report/data/http_source.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>

#include "report/data/json_records.h"

namespace quire {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

// Calls fn(entry) for each non-blank comma-separated entry, trimmed; stops
// at the first error.
template <typename Fn>
Status ForEachEntry(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view entry = TrimSpace(text.substr(0, comma));
    if (!entry.empty()) QUIRE_RETURN_IF_ERROR(fn(entry));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return Status::OK();
}

// "host" or "host:port", lower-cased (IPv6 in brackets); nullopt when the
// entry is not one.
std::optional<std::string> NormalizeHost(std::string_view entry) {
  std::string_view host = entry, port;
  if (!entry.empty() && entry.front() == '[') {
    const size_t close = entry.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    for (char c : entry.substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
        return std::nullopt;
    }
    host = entry.substr(0, close + 1);
    const std::string_view rest = entry.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    if (!rest.empty()) port = rest.substr(1);
    if (!rest.empty() && port.empty()) return std::nullopt;
  } else {
    const size_t colon = entry.find(':');
    if (colon != std::string_view::npos) {
      host = entry.substr(0, colon);
      port = entry.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
    if (host.empty()) return std::nullopt;
    for (char c : host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
        return std::nullopt;
      }
    }
  }
  if (!port.empty()) {
    const std::optional<int64_t> number = ParseInt(port);
    if (!number || port.front() == '+' || *number < 1 || *number > 65535) return std::nullopt;
  }
  return Lower(entry);
}

Status BadEntry(const char* option, std::string_view entry, const char* expected) {
  std::string message = option;
  message.append(": '").append(entry).append("' is not ").append(expected);
  if (entry.find("://") != std::string_view::npos) message += " (write the host, not a URL)";
  return Status::InvalidArgument(std::move(message));
}

bool IsEnvName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// curl_global_init, once per process.
CURLcode GlobalInit() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

// The scheme, lower-case host and port (the scheme's default when the URL
// has none) of a URL.
struct UrlParts {
  std::string scheme;
  std::string host;
  std::string port;
};

StatusOr<UrlParts> ParseUrl(const std::string& url, const std::string& what) {
  std::unique_ptr<CURLU, void (*)(CURLU*)> handle(curl_url(), &curl_url_cleanup);
  if (!handle) return Status::Internal(what + ": out of memory");
  if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
      CURLUE_OK) {
    return Status::InvalidArgument(what + ": not a valid URL");
  }
  UrlParts parts;
  const auto get = [&](CURLUPart part, unsigned flags, std::string* out) {
    char* value = nullptr;
    if (curl_url_get(handle.get(), part, &value, flags) != CURLUE_OK) return false;
    *out = Lower(value);
    curl_free(value);
    return true;
  };
  if (!get(CURLUPART_SCHEME, 0, &parts.scheme) || !get(CURLUPART_HOST, 0, &parts.host)) {
    return Status::InvalidArgument(what + ": not a valid URL");
  }
  if (parts.scheme != "http" && parts.scheme != "https") {
    return Status::InvalidArgument(what + ": only http and https URLs are allowed");
  }
  if (!get(CURLUPART_PORT, CURLU_DEFAULT_PORT, &parts.port)) {
    return Status::InvalidArgument(what + ": not a valid URL");
  }
  return parts;
}

// The entry of `map` for "host:port", else for "host"; nullptr for none.
template <typename Map>
const typename Map::mapped_type* FindForHost(const Map& map, const UrlParts& url) {
  auto it = map.find(url.host + ":" + url.port);
  if (it == map.end()) it = map.find(url.host);
  return it == map.end() ? nullptr : &it->second;
}

// `status` with every occurrence of `secret` in its message masked.
Status Redact(Status status, const std::string& secret) {
  if (secret.empty() || status.message().find(secret) == std::string::npos) return status;
  std::string message = status.message();
  for (size_t at; (at = message.find(secret)) != std::string::npos;) {
    message.replace(at, secret.size(), "[redacted]");
  }
  return {status.code(), std::move(message)};
}

// What the libcurl callbacks share.
struct Transfer {
  const FetchContext* ctx;
  size_t max_bytes;
  std::string body;
  bool oversize = false;
  bool cancelled = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->body.size() + n > t->max_bytes) {
    t->oversize = true;
    return 0;  // CURLE_WRITE_ERROR
  }
  t->body.append(data, n);
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->ctx->cancelled && t->ctx->cancelled()) t->cancelled = true;
  return t->cancelled ? 1 : 0;  // non-zero: CURLE_ABORTED_BY_CALLBACK
}

// Sets the options of one request on `curl`; the first failure wins.
class CurlOptions {
 public:
  explicit CurlOptions(CURL* curl) : curl_(curl) {}
  template <typename T>
  CurlOptions& Set(CURLoption option, T value) {
    if (result_ == CURLE_OK) result_ = curl_easy_setopt(curl_, option, value);
    return *this;
  }
  CURLcode result() const { return result_; }

 private:
  CURL* curl_;
  CURLcode result_ = CURLE_OK;
};

// The status for a finished request that got HTTP `code` (not 2xx).
Status HttpStatusError(long code, const std::string& what) {
  const std::string message = what + " returned HTTP " + std::to_string(code);
  if (code == 429) return Status::ResourceExhausted(message + " (too many requests)");
  if (code >= 500 || code == 408) return Status::Unavailable(message);
  if (code == 404 || code == 410) return Status::NotFound(message);
  if (code >= 300 && code < 400) {
    return Status::FailedPrecondition(message + "; redirects are not followed");
  }
  return Status::FailedPrecondition(message);
}

// The status for a transfer that libcurl ended with `rc`.
Status CurlError(CURLcode rc, const Transfer& t, const FetchContext& ctx, const char* detail,
                 const std::string& what) {
  const std::string cause = std::string(*detail ? detail : curl_easy_strerror(rc));
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status::DeadlineExceeded(what + " timed out after " +
                                      std::to_string(ctx.timeout.count()) + " ms");
    case CURLE_ABORTED_BY_CALLBACK:
      return Status::Cancelled(what + ": cancelled");
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_WRITE_ERROR:
      if (rc == CURLE_FILESIZE_EXCEEDED || t.oversize) {
        return Status::FailedPrecondition(what + ": response body is larger than " +
                                          "http.max_response_bytes (" +
                                          std::to_string(t.max_bytes) + " bytes)");
      }
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Status::Unavailable(what + ": " + cause);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return Status::FailedPrecondition(what + ": " + cause);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Status::InvalidArgument(what + ": " + cause);
    default:
      break;
  }
  return Status::Internal(what + ": " + cause);
}

// The request itself, once the URL is allowed; `token` may be empty.
StatusOr<Table> Perform(const SourceSpec& spec, const HttpOptions& options, const FetchContext& ctx,
                        const std::string& token, const std::string& what) {
  if (GlobalInit() != CURLE_OK) return Status::Internal(what + ": libcurl did not initialize");
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), &curl_easy_cleanup);
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, &curl_slist_free_all);
  if (!curl) return Status::Internal(what + ": libcurl handle not created");

  bool has_content_type = false, has_authorization = false;
  const auto add_header = [&](const std::string& line) {
    curl_slist* list = curl_slist_append(headers.get(), line.c_str());  // the head, or null
    if (!headers) headers.reset(list);
    return list != nullptr;
  };
  for (const auto& [name, value] : spec.headers) {
    if ((name + value).find_first_of("\r\n") != std::string::npos || name.empty() ||
        name.find(':') != std::string::npos) {
      return Status::InvalidArgument(what + ": header '" + name + "' is not valid");
    }
    has_content_type |= EqualsIgnoreCase(name, "Content-Type");
    has_authorization |= EqualsIgnoreCase(name, "Authorization");
    if (!add_header(name + ": " + value)) return Status::Internal(what + ": out of memory");
  }
  const bool post = spec.method == "POST";
  if (post && !has_content_type && !add_header("Content-Type: application/json")) {
    return Status::Internal(what + ": out of memory");
  }
  if (post && !add_header("Expect:")) return Status::Internal(what + ": out of memory");
  if (!token.empty() && !has_authorization && !add_header("Authorization: Bearer " + token)) {
    return Status::Internal(what + ": out of memory");
  }

  Transfer transfer{&ctx, options.max_response_bytes, {}, false, false};
  char detail[CURL_ERROR_SIZE] = "";
  const long timeout_ms = std::max<long>(1, static_cast<long>(ctx.timeout.count()));
  const long connect_ms =
      std::min<long>(timeout_ms, static_cast<long>(options.connect_timeout.count()));
  CurlOptions set(curl.get());
  set.Set(CURLOPT_URL, spec.url.c_str())
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85: the _STR forms
      .Set(CURLOPT_PROTOCOLS_STR, "http,https")
      .Set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
#else
      .Set(CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS))
      .Set(CURLOPT_REDIR_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS))
#endif
      .Set(CURLOPT_FOLLOWLOCATION, 0L)
      .Set(CURLOPT_NOSIGNAL, 1L)
      .Set(CURLOPT_TIMEOUT_MS, timeout_ms)
      .Set(CURLOPT_CONNECTTIMEOUT_MS, connect_ms)
      .Set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_response_bytes))
      .Set(CURLOPT_USERAGENT, "quire")
      .Set(CURLOPT_HTTPHEADER, headers.get())
      .Set(CURLOPT_ERRORBUFFER, detail)
      .Set(CURLOPT_WRITEFUNCTION, &OnBody)
      .Set(CURLOPT_WRITEDATA, static_cast<void*>(&transfer))
      .Set(CURLOPT_NOPROGRESS, 0L)
      .Set(CURLOPT_XFERINFOFUNCTION, &OnProgress)
      .Set(CURLOPT_XFERINFODATA, static_cast<void*>(&transfer));
  if (post) {
    set.Set(CURLOPT_POST, 1L)
        .Set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(spec.body.size()))
        .Set(CURLOPT_POSTFIELDS, spec.body.c_str());
  } else {
    set.Set(CURLOPT_HTTPGET, 1L);
  }
  if (set.result() != CURLE_OK) {
    return Status::Internal(what +
                            ": libcurl option not accepted: " + curl_easy_strerror(set.result()));
  }

  const CURLcode rc = curl_easy_perform(curl.get());
  long code = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
  // A refused oversize error page reports its status, not its size.
  const bool size_error = rc == CURLE_WRITE_ERROR || rc == CURLE_FILESIZE_EXCEEDED;
  if (rc != CURLE_OK && !(size_error && code >= 300)) {
    return CurlError(rc, transfer, ctx, detail, what);
  }
  if (code < 200 || code >= 300) return HttpStatusError(code, what);
  return ParseJsonRecords(transfer.body, spec, "response of " + spec.method + " " + spec.url, ctx);
}

}  // namespace

StatusOr<std::vector<std::string>> ParseHostList(std::string_view text) {
  std::vector<std::string> hosts;
  const Status s = ForEachEntry(text, [&](std::string_view entry) {
    const std::optional<std::string> host = NormalizeHost(entry);
    if (!host) return BadEntry("http.allow_hosts", entry, "a host or host:port");
    hosts.push_back(*host);
    return Status::OK();
  });
  if (!s.ok()) return s;
  return hosts;
}

StatusOr<std::map<std::string, std::string>> ParseBearerTokens(std::string_view text) {
  std::map<std::string, std::string> tokens;
  const Status s = ForEachEntry(text, [&](std::string_view entry) {
    const size_t eq = entry.find('=');
    const std::optional<std::string> host =
        eq == std::string_view::npos ? std::nullopt : NormalizeHost(TrimSpace(entry.substr(0, eq)));
    const std::string_view var = eq == std::string_view::npos ? "" : TrimSpace(entry.substr(eq + 1));
    if (!host || !IsEnvName(var)) {
      return BadEntry("http.bearer_tokens", entry,
                      "host=ENV_VAR (a host or host:port, and an environment variable name)");
    }
    tokens[*host] = std::string(var);
    return Status::OK();
  });
  if (!s.ok()) return s;
  return tokens;
}

StatusOr<Table> FetchHttpSource(const SourceSpec& spec, const HttpOptions& options,
                                const FetchContext& ctx) {
  const std::string what = "source '" + spec.name + "': " + spec.method + " " + spec.url;
  if (spec.method != "GET" && spec.method != "POST") {
    return Status::InvalidArgument(what + ": method must be GET or POST");
  }
  StatusOr<UrlParts> url = ParseUrl(spec.url, what);
  if (!url.ok()) return url.status();
  const auto& allowed = options.allow_hosts;
  if (std::find(allowed.begin(), allowed.end(), url->host) == allowed.end() &&
      std::find(allowed.begin(), allowed.end(), url->host + ":" + url->port) == allowed.end()) {
    return Status(StatusCode::kPermissionDenied, "source '" + spec.name + "': host '" + url->host +
                                                     "' is not in http.allow_hosts");
  }
  std::string token;
  if (const std::string* var = FindForHost(options.bearer_token_env, *url)) {
    const char* value = std::getenv(var->c_str());
    if (value == nullptr || *value == '\0') {
      return Status::FailedPrecondition("source '" + spec.name +
                                        "': http.bearer_tokens names environment variable '" +
                                        *var + "' for host '" + url->host + "', but it is not set");
    }
    token = value;
  }
  StatusOr<Table> table = Perform(spec, options, ctx, token, what);
  if (!table.ok()) return Redact(table.status(), token);
  return table;
}

}  // namespace quire
