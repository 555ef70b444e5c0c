#include "cli/print.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>

namespace quire {

void PrintJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  std::cout << out;
}

void PrintIssues(const std::string& file,
                 const google::protobuf::RepeatedPtrField<v1::ValidationIssue>& issues) {
  static const char* kSev[] = {"?", "info", "warning", "error", "critical"};
  for (const auto& i : issues) {
    std::fprintf(stderr, "%s:%d:%d: %s: %s [%s]%s%s%s\n", file.c_str(), i.line(), i.column(),
                 kSev[std::clamp(static_cast<int>(i.severity()), 0, 4)], i.message().c_str(),
                 i.code().c_str(), i.path().empty() ? "" : " (", i.path().c_str(),
                 i.path().empty() ? "" : ")");
    if (!i.suggestion().empty()) std::fprintf(stderr, "  suggestion: %s\n", i.suggestion().c_str());
  }
}

std::string TimestampText(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  std::time_t s = t.seconds();
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return std::string(buf) + "." + std::to_string(t.nanos() / 1000000 + 1000).substr(1) + "Z";
}

}  // namespace quire
