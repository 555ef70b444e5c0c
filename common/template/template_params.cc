// Binding submitted parameter values (text) to a template's parameter
// declarations: type conversion, range and enum rules, defaults. The
// validator uses the same BindParameterValue to check declared defaults.
#include <regex>
#include <set>

#include "common/template/template.h"

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

// std::regex matches recursively: longer values are refused rather than
// risking the stack.
constexpr size_t kMaxPatternValue = 1000;  // chars

Status CheckPattern(const ParameterSpec& spec, const std::string& text) {
  if (spec.pattern.empty()) return Status::OK();
  if (text.size() > kMaxPatternValue) {
    return Status::InvalidArgument("parameter " + Quote(spec.name) + ": a value checked by a " +
                                   "pattern may be at most 1000 characters");
  }
  bool matches = false;
  try {
    matches = std::regex_match(text, std::regex(spec.pattern, std::regex::ECMAScript));
  } catch (const std::regex_error&) {
    return Status::InvalidArgument("parameter " + Quote(spec.name) + ": pattern " +
                                   Quote(spec.pattern) + " is not a valid regex");
  }
  if (matches) return Status::OK();
  return Status::InvalidArgument("parameter " + Quote(spec.name) + ": " + Quote(text) +
                                 " does not match the pattern " + Quote(spec.pattern));
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

StatusOr<ParamValue> BindParameterValue(const ParameterSpec& spec, const std::string& text) {
  if (spec.type == ParamType::kList) {
    // "a, b,c": each item bound as a parameter of the item type.
    ParameterSpec item = spec;
    item.type = spec.item_type == ParamType::kList ? ParamType::kString : spec.item_type;
    ParamValue list;
    list.type = ParamType::kList;
    if (Trim(text).empty()) return list;
    size_t start = 0;
    while (start <= text.size()) {
      size_t comma = text.find(',', start);
      if (comma == std::string::npos) comma = text.size();
      StatusOr<ParamValue> v = BindParameterValue(item, Trim(text.substr(start, comma - start)));
      if (!v.ok()) return v.status();
      if (!list.text.empty()) list.text += ", ";
      list.text += v->text;
      list.items.push_back(std::move(v).value());
      start = comma + 1;
    }
    return list;
  }
  const auto not_a = [&](const char* what) {
    return Status::InvalidArgument("parameter " + Quote(spec.name) + ": " + Quote(text) +
                                   " is not " + what);
  };
  ParamValue v;
  v.type = spec.type;
  switch (spec.type) {
    case ParamType::kString:
      QUIRE_RETURN_IF_ERROR(CheckPattern(spec, text));
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
    case ParamType::kDatetime: {
      auto t = ParseDatetime(text);
      if (!t) return not_a("a date and time (YYYY-MM-DDTHH:MM[:SS])");
      v.int_value = *t;
      v.text = FormatDatetime(*t);
      return v;
    }
    case ParamType::kList:
      break;
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
