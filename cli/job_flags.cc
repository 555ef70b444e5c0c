#include "cli/job_flags.h"

#include <cctype>
#include <cstdio>

namespace quire {

bool ParseParam(const std::string& text, std::string* name, std::string* value) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    std::fprintf(stderr, "quirectl: parameter '%s' must be name=value\n", text.c_str());
    return false;
  }
  *name = text.substr(0, eq);
  *value = text.substr(eq + 1);
  return true;
}

bool AddParams(const std::vector<std::string>& in,
               google::protobuf::RepeatedPtrField<v1::ParameterValue>* out) {
  for (const auto& p : in) {
    v1::ParameterValue* v = out->Add();
    if (!ParseParam(p, v->mutable_name(), v->mutable_value())) return false;
  }
  return true;
}

bool FillJob(const std::string& priority, const std::vector<std::string>& params,
             const std::vector<std::string>& outputs, v1::SubmitJobRequest* req) {
  v1::Priority prio;
  if (!v1::Priority_Parse(priority, &prio) || prio == v1::PRIORITY_UNSPECIFIED) {
    std::fprintf(stderr, "quirectl: --priority must be LOW, NORMAL, HIGH or URGENT\n");
    return false;
  }
  req->set_priority(prio);
  if (!AddParams(params, req->mutable_parameters())) return false;
  for (const auto& o : outputs) {
    std::string upper;
    for (char c : o) upper += static_cast<char>(std::toupper(c));
    v1::OutputFormat f;
    if (!v1::OutputFormat_Parse(upper, &f) || f == v1::OUTPUT_FORMAT_UNSPECIFIED) {
      std::fprintf(stderr, "quirectl: unknown output format '%s'\n", o.c_str());
      return false;
    }
    req->add_outputs(f);
  }
  return true;
}

}  // namespace quire
