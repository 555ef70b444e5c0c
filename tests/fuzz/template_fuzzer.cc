// libFuzzer harness for the template parser and validator: any byte string
// must parse to a template or to findings — never a crash, hang, leak or
// undefined behaviour. Valid templates also go through parameter binding,
// inline table building and placeholder expansion.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/template/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  quire::ParseResult parsed = quire::ParseTemplate(text);
  for (const auto& issue : parsed.issues) (void)quire::FormatIssue(issue);
  if (!parsed.tmpl.has_value()) return 0;
  const quire::ReportTemplate& t = *parsed.tmpl;
  auto params = quire::ResolveParameters(t, {});
  quire::ParamValues values = params.ok() ? *params : quire::ParamValues();
  (void)quire::ExpandPlaceholders(t.title, values);
  for (const auto& section : t.sections) (void)quire::ExpandPlaceholders(section.text, values);
  for (const auto& source : t.sources) (void)quire::BuildInlineTable(source);
  return 0;
}
