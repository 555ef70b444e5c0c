// Tests of the csv and json sources: RFC 4180 quoting, CRLF, BOM, declared
// and inferred types, nulls, malformed files with their line numbers, the
// JSON records rules (json_records.h) and the data-root path checks
// (traversal, absolute paths, symlinks in and out of the root).
#include "report/data/file_source.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "tests/unit/test_util.h"

namespace quire {
namespace {

namespace fs = std::filesystem;

using test::Contains;
using test::TempDir;

// Writes `content` to `path`, making its directory.
void WriteFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

SourceSpec Spec(SourceKind kind, const std::string& path) {
  SourceSpec spec;
  spec.name = "sales";
  spec.kind = kind;
  spec.path = path;
  return spec;
}

// A data root holding `files` (name -> content).
class FileSourceTest : public ::testing::Test {
 protected:
  void Put(const std::string& name, const std::string& content) {
    WriteFile(dir_.File("root/" + name), content);
  }
  std::string root() const { return dir_.File("root"); }

  StatusOr<Table> Csv(const std::string& content,
                      SourceSpec spec = Spec(SourceKind::kCsv, "t.csv")) {
    Put(spec.path, content);
    return ReadCsvSource(spec, root(), ctx_);
  }
  StatusOr<Table> Json(const std::string& content,
                       SourceSpec spec = Spec(SourceKind::kJson, "t.json")) {
    Put(spec.path, content);
    return ReadJsonSource(spec, root(), ctx_);
  }

  TempDir dir_;
  FetchContext ctx_;
};

std::string Types(const Table& t) {
  std::string s;
  for (size_t i = 0; i < t.num_columns(); ++i) {
    s += (i ? "," : "") + t.column(i).name() + ":" + ColumnTypeName(t.column(i).type());
  }
  return s;
}

// Row `row` as "a|b|c", nulls as "~".
std::string Row(const Table& t, size_t row) {
  std::string s;
  for (size_t i = 0; i < t.num_columns(); ++i) {
    s += i ? "|" : "";
    s += t.column(i).IsNull(row) ? "~" : t.column(i).AsString(row);
  }
  return s;
}

// ---------------------------------------------------------------------------
// CSV

TEST_F(FileSourceTest, CsvHeaderAndInferredTypes) {
  StatusOr<Table> t =
      Csv("id,amount,day,flag,name\n"
          "1,1.5,2024-01-02,true,Ann\n"
          "2,3,2024-02-29,no,Bob\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(Types(*t), "id:int,amount:float,day:date,flag:bool,name:text");
  ASSERT_EQ(t->num_rows(), 2u);
  EXPECT_EQ(Row(*t, 0), "1|1.5|2024-01-02|true|Ann");
  EXPECT_EQ(Row(*t, 1), "2|3|2024-02-29|false|Bob");
}

TEST_F(FileSourceTest, CsvInferenceFallsBackPerColumn) {
  StatusOr<Table> t =
      Csv("a,b,c,d\n"
          "1,2024-01-01,99999999999999999999,1\n"
          "2.5,soon,1,0\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  // An int64 overflow reads as a float; 0/1 prefer int to bool.
  EXPECT_EQ(Types(*t), "a:float,b:text,c:float,d:int");
}

TEST_F(FileSourceTest, CsvQuotingCrlfAndBom) {
  StatusOr<Table> t =
      Csv("\xEF\xBB\xBFname,note,n\r\n"
          "\"Smith, J\",\"say \"\"hi\"\"\",1\r\n"
          "\"two\nlines\",\"\",2\r\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(Types(*t), "name:text,note:text,n:int");
  ASSERT_EQ(t->num_rows(), 2u);
  EXPECT_EQ(t->column(0).AsString(0), "Smith, J");
  EXPECT_EQ(t->column(1).AsString(0), "say \"hi\"");
  EXPECT_EQ(t->column(0).AsString(1), "two\nlines");
  EXPECT_TRUE(t->column(1).IsNull(1));  // an empty field is null, quoted or not
}

TEST_F(FileSourceTest, CsvEmptyCellsAreNullAndBlankLinesSkipped) {
  StatusOr<Table> t = Csv("a,b\n1,\n\n,x\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(Types(*t), "a:int,b:text");
  ASSERT_EQ(t->num_rows(), 2u);
  EXPECT_EQ(Row(*t, 0), "1|~");
  EXPECT_EQ(Row(*t, 1), "~|x");
}

TEST_F(FileSourceTest, CsvDelimiterWithoutHeader) {
  SourceSpec spec = Spec(SourceKind::kCsv, "t.csv");
  spec.delimiter = ';';
  spec.header = false;
  StatusOr<Table> t = Csv("North;1,5\nSouth;2\n", spec);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(Types(*t), "col1:text,col2:text");
  EXPECT_EQ(Row(*t, 0), "North|1,5");
}

TEST_F(FileSourceTest, CsvDeclaredColumnsWithoutHeader) {
  SourceSpec spec = Spec(SourceKind::kCsv, "t.csv");
  spec.header = false;
  spec.columns = {{"region", ColumnType::kText}, {"sales", ColumnType::kFloat}};
  StatusOr<Table> t = Csv("North,1\nSouth,2.5\n", spec);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(Types(*t), "region:text,sales:float");
  EXPECT_EQ(Row(*t, 1), "South|2.5");

  StatusOr<Table> wide = Csv("North,1,x\n", spec);
  ASSERT_FALSE(wide.ok());
  EXPECT_EQ(wide.status().message(),
            "source 'sales': line 1: 3 fields, expected 2 (the declared columns)");
}

TEST_F(FileSourceTest, CsvDeclaredColumnsPickedByHeaderName) {
  SourceSpec spec = Spec(SourceKind::kCsv, "t.csv");
  spec.columns = {{"amount", ColumnType::kFloat}, {"id", ColumnType::kText}};
  StatusOr<Table> t = Csv("id,skip,amount\n7,x,1\n", spec);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(Types(*t), "amount:float,id:text");
  EXPECT_EQ(Row(*t, 0), "1|7");

  spec.columns.push_back({"missing", ColumnType::kInt});
  StatusOr<Table> bad = Csv("id,skip,amount\n7,x,1\n", spec);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(bad.status().message(), "'missing' is not in the header"));
}

TEST_F(FileSourceTest, CsvDeclaredTypeMismatchNamesLineAndColumn) {
  SourceSpec spec = Spec(SourceKind::kCsv, "t.csv");
  spec.columns = {{"note", ColumnType::kText}, {"amount", ColumnType::kFloat}};
  // The quoted line break makes the bad cell's record start on line 4.
  StatusOr<Table> t = Csv("note,amount\n\"a\nb\",1\nc,abc\n", spec);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.status().message(), "source 'sales': line 4, column 'amount': 'abc' is not a float");
}

TEST_F(FileSourceTest, CsvMalformedFilesNameTheLine) {
  struct Case {
    const char* csv;
    const char* message;
  };
  const Case cases[] = {
      {"a,b\n1,2\n3,\"oops\n4,5\n", "source 'sales': line 3: unterminated quoted field"},
      {"a,b\n1,2\r\n3\r\n", "source 'sales': line 3: 1 fields, expected 2 as on line 1"},
      {"a,b\n\"x\"y,2\n", "source 'sales': line 2: unexpected text after a closing quote"},
      {"a,a\n1,2\n", "source 'sales': line 1: column 'a' appears twice in the header"},
  };
  for (const Case& c : cases) {
    StatusOr<Table> t = Csv(c.csv);
    ASSERT_FALSE(t.ok()) << c.csv;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(t.status().message(), c.message);
  }
}

TEST_F(FileSourceTest, CsvEmptyFile) {
  StatusOr<Table> t = Csv("");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->num_columns(), 0u);

  SourceSpec spec = Spec(SourceKind::kCsv, "t.csv");
  spec.columns = {{"a", ColumnType::kInt}};
  StatusOr<Table> declared = Csv("", spec);
  ASSERT_TRUE(declared.ok()) << declared.status().ToString();
  EXPECT_EQ(Types(*declared), "a:int");
  EXPECT_EQ(declared->num_rows(), 0u);
}

TEST_F(FileSourceTest, CsvCancelled) {
  ctx_.cancelled = [] { return true; };
  StatusOr<Table> t = Csv("a\n1\n");
  EXPECT_EQ(t.status().code(), StatusCode::kCancelled);
}

TEST_F(FileSourceTest, CsvReads100kRowsQuickly) {
  std::string csv = "id,region,amount,day,flag\n";
  for (int i = 0; i < 100000; ++i) {
    csv += std::to_string(i) + ",\"North, " + std::to_string(i % 7) + "\"," + std::to_string(i) +
           ".25,2024-01-" + std::to_string(10 + i % 20) + "," + (i % 2 ? "true" : "false") + "\n";
  }
  Put("big.csv", csv);
  const auto start = std::chrono::steady_clock::now();
  StatusOr<Table> t = ReadCsvSource(Spec(SourceKind::kCsv, "big.csv"), root(), ctx_);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->num_rows(), 100000u);
  EXPECT_EQ(Types(*t), "id:int,region:text,amount:float,day:date,flag:bool");
  // Tens of ms in a release build; the bound leaves room for a busy machine.
  EXPECT_LT(ms, 1500) << ms << " ms";
  RecordProperty("read_ms", static_cast<int>(ms));
}

// ---------------------------------------------------------------------------
// JSON

TEST_F(FileSourceTest, JsonUnionOfKeysAndInferredTypes) {
  StatusOr<Table> t = Json(R"([
    {"n": 1, "x": 1, "name": "a", "day": "2024-01-01", "ok": true},
    {"n": 2, "x": 2.5, "name": null, "day": "2024-01-02", "extra": {"k": [1, 2]}},
    {"n": 3, "x": 3, "name": 7, "ok": false}
  ])");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(Types(*t), "n:int,x:float,name:text,day:date,ok:bool,extra:text");
  ASSERT_EQ(t->num_rows(), 3u);
  EXPECT_EQ(Row(*t, 0), "1|1|a|2024-01-01|true|~");
  EXPECT_EQ(Row(*t, 1), "2|2.5|~|2024-01-02|~|{\"k\":[1,2]}");
  EXPECT_EQ(Row(*t, 2), "3|3|7|~|false|~");  // mixed kinds read as text
}

TEST_F(FileSourceTest, JsonNestedPointer) {
  SourceSpec spec = Spec(SourceKind::kJson, "t.json");
  spec.pointer = "/data/items";
  StatusOr<Table> t = Json(R"({"data": {"items": [{"k": "a"}, {"k": "b"}]}})", spec);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(Row(*t, 1), "b");
}

TEST_F(FileSourceTest, JsonPointerErrors) {
  SourceSpec spec = Spec(SourceKind::kJson, "t.json");
  spec.pointer = "/nope";
  StatusOr<Table> missing = Json(R"({"data": []})", spec);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(), "source 'sales': file 't.json': pointer '/nope' not found");

  spec.pointer = "/data";
  StatusOr<Table> object = Json(R"({"data": {"a": 1}})", spec);
  EXPECT_EQ(object.status().message(),
            "source 'sales': file 't.json': pointer '/data' points to an object, not an array of "
            "records");

  spec.pointer = "data";
  StatusOr<Table> malformed = Json(R"({"data": []})", spec);
  EXPECT_EQ(malformed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(malformed.status().message(), "pointer 'data' is not a valid JSON pointer"));
}

TEST_F(FileSourceTest, JsonSyntaxErrorHasLineAndColumn) {
  StatusOr<Table> t = Json("[\n  {\"a\": 1},\n  {\"a\": 2,}\n]\n");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(t.status().message(),
                       "source 'sales': file 't.json': invalid JSON at line 3, column 11: "))
      << t.status().message();
}

TEST_F(FileSourceTest, JsonDeclaredColumnsWithArraysAndObjects) {
  SourceSpec spec = Spec(SourceKind::kJson, "t.json");
  spec.columns = {
      {"name", ColumnType::kText}, {"amount", ColumnType::kFloat}, {"day", ColumnType::kDate}};
  StatusOr<Table> t = Json(R"([["a", 1, "2024-01-01"], {"amount": 2.5, "other": 1}])", spec);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(Types(*t), "name:text,amount:float,day:date");
  EXPECT_EQ(Row(*t, 0), "a|1|2024-01-01");
  EXPECT_EQ(Row(*t, 1), "~|2.5|~");

  StatusOr<Table> bad = Json(R"([["a", 1, null], ["b", "x", null]])", spec);
  EXPECT_EQ(bad.status().message(),
            "source 'sales': record 2, column 'amount': 'x' is not a float");

  StatusOr<Table> short_row = Json(R"([["a", 1]])", spec);
  EXPECT_EQ(short_row.status().message(),
            "source 'sales': file 't.json': record 1 has 2 values, expected 3");
}

TEST_F(FileSourceTest, JsonArraysNeedDeclaredColumns) {
  StatusOr<Table> t = Json(R"([["a", 1]])");
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(t.status().message(), "record 1 is an array, expected an object"));
  StatusOr<Table> scalar = Json(R"([{"a": 1}, 5])");
  EXPECT_TRUE(Contains(scalar.status().message(), "record 2 is a number"));
}

// ---------------------------------------------------------------------------
// Paths

TEST_F(FileSourceTest, PathsLeavingTheRootAreRefused) {
  WriteFile(dir_.File("secret.csv"), "a\n1\n");
  WriteFile(dir_.File("root2/x.csv"), "a\n1\n");
  Put("ok.csv", "a\n1\n");
  fs::create_symlink(dir_.File("secret.csv"), dir_.File("root/link.csv"));
  fs::create_symlink(dir_.File("root2"), dir_.File("root/sibling"));
  fs::create_symlink(dir_.File("root/ok.csv"), dir_.File("root/inside.csv"));

  for (const std::string& path :
       std::vector<std::string>{"../secret.csv", "a/../../secret.csv", dir_.File("secret.csv"),
                                "link.csv", "sibling/x.csv", "sibling/missing.csv"}) {
    StatusOr<Table> t = ReadCsvSource(Spec(SourceKind::kCsv, path), root(), ctx_);
    ASSERT_FALSE(t.ok()) << path;
    EXPECT_EQ(t.status().code(), StatusCode::kPermissionDenied) << t.status().ToString();
    EXPECT_TRUE(Contains(t.status().message(), "source 'sales': path '" + path + "'"))
        << t.status().message();
  }
  for (const char* path : {"ok.csv", "inside.csv", "sub/../ok.csv", "./ok.csv"}) {
    StatusOr<Table> t = ReadCsvSource(Spec(SourceKind::kCsv, path), root(), ctx_);
    EXPECT_TRUE(t.ok()) << path << ": " << t.status().ToString();
  }
  // The JSON reader shares the check.
  EXPECT_EQ(ReadJsonSource(Spec(SourceKind::kJson, "../x.json"), root(), ctx_).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(FileSourceTest, MissingFileOrRoot) {
  Put("ok.csv", "a\n1\n");
  StatusOr<Table> t = ReadCsvSource(Spec(SourceKind::kCsv, "nope.csv"), root(), ctx_);
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t.status().message(), "source 'sales': path 'nope.csv' not found under data.root");
  EXPECT_EQ(ReadJsonSource(Spec(SourceKind::kJson, "nope.json"), root(), ctx_).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(
      ReadCsvSource(Spec(SourceKind::kCsv, "ok.csv"), dir_.File("none"), ctx_).status().code(),
      StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace quire
