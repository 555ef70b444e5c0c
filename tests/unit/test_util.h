// What the unit tests (tests/unit/*_test.cc) share: a scratch directory,
// shell commands with their output and exit code, whole files and paths in
// the source tree, substring assertions, tables and chart specs written
// compactly, templates parsed and bound as the render stage gets them, and
// validator findings compared field by field. Header-only, in quire::test
// (not quire::testing: inside namespace quire that name would hide gtest's
// `testing::`).
//
// Not for the integration tests (tests/support/ serves those), and not a
// place for what one test file alone uses.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/table/table.h"
#include "common/template/template.h"

namespace quire::test {

// ---------------------------------------------------------------------------
// Files and commands

// A fresh directory under the system's temp directory, removed with its
// contents when the object is destroyed. path() is "" when none could be
// made; the files of File() then cannot be written and the test fails there.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "quire_unit_XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The path of `name` inside the directory.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// What a shell command wrote to its standard output, and how it ended.
struct CommandResult {
  std::string output;
  int exit_code = -1;  // -1: it could not be started or a signal ended it
};

// Runs `command` with /bin/sh and waits for it. Its standard error is not
// captured: redirect it in the command ("2>&1", "2>/dev/null").
inline CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), pipe)) > 0;) result.output.append(buf, n);
  const int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

// Whether a partial file of `path` (`path`.partial-…, see
// report/render/file_output.h) is left beside it.
inline bool PartialLeft(const std::string& path) {
  const std::filesystem::path p(path);
  const std::string prefix = p.filename().string() + ".partial";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(p.parent_path(), ec)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// The bytes of the file at `path`; "" when it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The path of `relative` (e.g. "deploy/templates/demo.yaml") in the source
// tree (QUIRE_SOURCE_DIR, set by tests/CMakeLists.txt).
inline std::string SourcePath(const std::string& relative) {
  return std::string(QUIRE_SOURCE_DIR) + "/" + relative;
}

// ---------------------------------------------------------------------------
// Text

inline bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

namespace internal {
inline ::testing::AssertionResult ContainsEach(const std::string& text,
                                               const std::vector<std::string>& needles,
                                               bool wanted) {
  std::string wrong;
  for (const std::string& n : needles) {
    if (Contains(text, n) != wanted) wrong += "\n  " + n;
  }
  if (wrong.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << (wanted ? "missing:" : "present:") << wrong << "\nin:\n"
                                       << text;
}
}  // namespace internal

// Passes when `text` contains each of `needles` (ContainsAll) or none of
// them (ContainsNone); a failure names every needle that broke the rule and
// shows the text.
inline ::testing::AssertionResult ContainsAll(const std::string& text,
                                              const std::vector<std::string>& needles) {
  return internal::ContainsEach(text, needles, true);
}
inline ::testing::AssertionResult ContainsNone(const std::string& text,
                                               const std::vector<std::string>& needles) {
  return internal::ContainsEach(text, needles, false);
}

// ---------------------------------------------------------------------------
// Data and charts

// A table from "name:type,..." (types as ColumnTypeName) and rows split by
// ';' of cells split by ',', an empty cell being null:
//   TableOf("region:text,sales:float", "North,120;South,")
// An unknown type or a cell that does not convert is a test failure.
inline Table TableOf(const std::string& columns, const std::string& rows) {
  Table t;
  std::istringstream names(columns);
  for (std::string col; std::getline(names, col, ',');) {
    const size_t colon = col.find(':');
    const std::optional<ColumnType> type =
        ColumnTypeFromName(colon == std::string::npos ? "" : col.substr(colon + 1));
    if (!type) {
      ADD_FAILURE() << "no type in column spec '" << col << "'";
      continue;
    }
    t.AddColumn(col.substr(0, colon), *type);
  }
  std::istringstream lines(rows);
  for (std::string line; std::getline(lines, line, ';');) {
    std::vector<std::optional<std::string>> cells;
    for (size_t start = 0, comma = 0; comma != std::string::npos; start = comma + 1) {
      comma = line.find(',', start);
      const std::string cell = line.substr(start, comma - start);
      cells.push_back(cell.empty() ? std::nullopt : std::optional(cell));
    }
    const Status s = t.AppendTextRow(cells);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return t;
}

// A chart of `type` over the column `x`, one series per `y` column, the
// rest at ChartSpec's defaults.
inline ChartSpec ChartOf(ChartType type, std::string x, std::vector<std::string> y) {
  ChartSpec spec;
  spec.type = type;
  spec.x = std::move(x);
  spec.y = std::move(y);
  return spec;
}

// ---------------------------------------------------------------------------
// Templates

// A template with its parameters bound and the tables it can build without
// I/O (inline sources, fallbacks): what the render stage gets.
struct PreparedReport {
  ReportTemplate tmpl;
  ParamValues params;
  ReportData data;
};

// Parses `yaml` and binds `values` over the defaults. A finding of severity
// `fail_from` or worse, parameters that do not bind and a source table that
// cannot be built are test failures; a template that does not parse gives
// an empty report.
inline PreparedReport PrepareReport(
    const std::string& yaml, const std::vector<std::pair<std::string, std::string>>& values = {},
    Severity fail_from = Severity::kError) {
  PreparedReport r;
  ParseResult parsed = ParseTemplate(yaml);
  for (const ValidationIssue& i : parsed.issues) {
    if (i.severity >= fail_from) ADD_FAILURE() << FormatIssue(i);
  }
  if (!parsed.tmpl) return r;
  r.tmpl = *parsed.tmpl;
  StatusOr<ParamValues> params = ResolveParameters(r.tmpl, values);
  EXPECT_TRUE(params.ok()) << params.status().ToString();
  if (params.ok()) r.params = *params;
  for (const SourceSpec& s : r.tmpl.sources) {
    StatusOr<std::optional<Table>> t = BuildLocalTable(r.tmpl, s);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (t.ok() && t->has_value()) r.data.tables.emplace(s.name, std::move(**t));
  }
  return r;
}

// The YAML of an optional postgres source `name` (columns k: text and
// v: float), an entry under `sources:`. Unit tests have no database, so it
// never has data: for the "Data unavailable" paths.
inline std::string UnavailableSourceYaml(const std::string& name) {
  return "  " + name +
         ":\n"
         "    kind: postgres\n"
         "    connection: main\n"
         "    query: \"select k, v from t\"\n"
         "    cache_ttl: 60s\n"
         "    optional: true\n"
         "    columns: [{name: k, type: text}, {name: v, type: float}]\n";
}

// A validator finding a test expects.
struct ExpectedFinding {
  const char* code;
  Severity severity;
  const char* path;
  int line;
  int column = 0;               // 0: any column (> 0)
  const char* suggestion = "";  // checked when non-empty
};

// Every finding, each on its own indented line (for failure messages).
inline std::string FormatIssues(const std::vector<ValidationIssue>& issues) {
  std::string all;
  for (const ValidationIssue& i : issues) all += "\n  " + FormatIssue(i);
  return all;
}

// The first finding of `code`; nullptr when there is none.
inline const ValidationIssue* FindIssue(const std::vector<ValidationIssue>& issues,
                                        const std::string& code) {
  for (const ValidationIssue& i : issues) {
    if (i.code == code) return &i;
  }
  return nullptr;
}

// Passes when `found` has the severity, path, line, column and suggestion
// of `expected`; a failure names each field that differs.
inline ::testing::AssertionResult MatchesFinding(const ValidationIssue& found,
                                                 const ExpectedFinding& expected) {
  std::ostringstream wrong;
  if (found.severity != expected.severity) {
    wrong << "\n  severity " << SeverityName(found.severity) << ", expected "
          << SeverityName(expected.severity);
  }
  if (found.path != expected.path) {
    wrong << "\n  path '" << found.path << "', expected '" << expected.path << "'";
  }
  if (found.line != expected.line) {
    wrong << "\n  line " << found.line << ", expected " << expected.line;
  }
  if (expected.column > 0 ? found.column != expected.column : found.column <= 0) {
    wrong << "\n  column " << found.column << ", expected "
          << (expected.column > 0 ? std::to_string(expected.column) : "> 0");
  }
  if (*expected.suggestion && found.suggestion != expected.suggestion) {
    wrong << "\n  suggestion '" << found.suggestion << "', expected '" << expected.suggestion
          << "'";
  }
  if (wrong.str().empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << FormatIssue(found) << wrong.str();
}

}  // namespace quire::test
