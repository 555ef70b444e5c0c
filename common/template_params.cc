// Binding submitted parameter values (text) to a template's parameter
// declarations: type conversion, range and enum rules, defaults. The
// validator uses the same BindParameterValue to check declared defaults.
#include <set>

#include "common/template.h"

namespace quire {
namespace {

std::string Quote(const std::string& s) { return "'" + s + "'"; }

std::string JoinChoices(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

Status CheckRange(const ParameterSpec& spec, double v, const std::string& shown) {
  if (spec.min && v < *spec.min) {
    return Status::InvalidArgument("parameter " + Quote(spec.name) + ": " + shown +
                                   " is below the minimum " + FormatDouble(*spec.min));
  }
  if (spec.max && v > *spec.max) {
    return Status::InvalidArgument("parameter " + Quote(spec.name) + ": " + shown +
                                   " is above the maximum " + FormatDouble(*spec.max));
  }
  return Status::OK();
}

}  // namespace

StatusOr<ParamValue> BindParameterValue(const ParameterSpec& spec, const std::string& text) {
  const auto not_a = [&](const char* what) {
    return Status::InvalidArgument("parameter " + Quote(spec.name) + ": " + Quote(text) +
                                   " is not " + what);
  };
  ParamValue v;
  v.type = spec.type;
  switch (spec.type) {
    case ParamType::kString:
      v.text = text;
      return v;
    case ParamType::kInt: {
      auto i = ParseInt(text);
      if (!i) return not_a("an integer");
      v.int_value = *i;
      v.float_value = static_cast<double>(*i);
      v.text = std::to_string(*i);
      QUIRE_RETURN_IF_ERROR(CheckRange(spec, v.float_value, v.text));
      return v;
    }
    case ParamType::kFloat: {
      auto f = ParseFloat(text);
      if (!f) return not_a("a number");
      v.float_value = *f;
      v.text = FormatDouble(*f);
      QUIRE_RETURN_IF_ERROR(CheckRange(spec, v.float_value, v.text));
      return v;
    }
    case ParamType::kBool: {
      auto b = ParseBool(text);
      if (!b) return not_a("a boolean (true/false)");
      v.int_value = *b ? 1 : 0;
      v.text = *b ? "true" : "false";
      return v;
    }
    case ParamType::kDate: {
      auto d = ParseDate(text);
      if (!d) return not_a("a date (YYYY-MM-DD)");
      v.int_value = *d;
      v.text = FormatDate(*d);
      return v;
    }
    case ParamType::kEnum: {
      for (const std::string& choice : spec.values) {
        if (choice == text) {
          v.text = text;
          return v;
        }
      }
      return Status::InvalidArgument("parameter " + Quote(spec.name) + ": " + Quote(text) +
                                     " is not one of: " + JoinChoices(spec.values));
    }
  }
  return Status::Internal("unknown parameter type");
}

StatusOr<ParamValues> ResolveParameters(
    const ReportTemplate& tmpl, const std::vector<std::pair<std::string, std::string>>& values) {
  std::vector<std::string> problems;
  ParamValues out;
  std::set<std::string> seen;
  for (const auto& [name, text] : values) {
    const ParameterSpec* spec = tmpl.FindParameter(name);
    if (spec == nullptr) {
      problems.push_back("unknown parameter " + Quote(name));
      continue;
    }
    if (!seen.insert(name).second) {
      problems.push_back("parameter " + Quote(name) + " given more than once");
      continue;
    }
    StatusOr<ParamValue> v = BindParameterValue(*spec, text);
    if (!v.ok()) {
      problems.push_back(v.status().message());
      continue;
    }
    out[name] = std::move(v).value();
  }
  for (const ParameterSpec& spec : tmpl.parameters) {
    if (seen.count(spec.name)) continue;
    if (spec.default_value) {
      StatusOr<ParamValue> v = BindParameterValue(spec, *spec.default_value);
      if (!v.ok()) {
        problems.push_back("default of " + v.status().message());
        continue;
      }
      out[spec.name] = std::move(v).value();
    } else if (spec.required) {
      problems.push_back("missing required parameter " + Quote(spec.name));
    }
  }
  if (!problems.empty()) {
    std::string msg;
    for (const std::string& p : problems) {
      if (!msg.empty()) msg += "; ";
      msg += p;
    }
    return Status::InvalidArgument(msg);
  }
  return out;
}

}  // namespace quire
