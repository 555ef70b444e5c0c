// EncodeTable / DecodeTable: exact round trips of every column type with
// nulls, and corrupt input refused (never a crash, never a wrong table).
#include "common/table/table_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/unit/test_util.h"

namespace quire {
namespace {

using test::TableOf;

// Same columns, types, nulls and values (compared by their text).
void ExpectSameTable(const Table& a, const Table& b) {
  ASSERT_EQ(a.num_columns(), b.num_columns());
  ASSERT_EQ(a.num_rows(), b.num_rows());
  for (size_t c = 0; c < a.num_columns(); ++c) {
    const Column& x = a.column(c);
    const Column& y = b.column(c);
    EXPECT_EQ(x.name(), y.name());
    EXPECT_EQ(x.type(), y.type());
    for (size_t r = 0; r < a.num_rows(); ++r) {
      EXPECT_EQ(x.IsNull(r), y.IsNull(r)) << x.name() << " row " << r;
      EXPECT_EQ(x.AsString(r), y.AsString(r)) << x.name() << " row " << r;
    }
  }
}

Table EveryType() {
  return TableOf("name:text,count:int,share:float,open:bool,day:date",
                 "Nord,12,0.25,true,2024-02-29;"
                 ",,,,;"
                 "Zürich 東京,-9007199254740993,-1e-300,false,1969-12-31;"
                 "x,0,3.141592653589793,,2000-01-01");
}

TEST(TableCodec, RoundTripsEveryTypeWithNulls) {
  const Table t = EveryType();
  auto back = DecodeTable(EncodeTable(t));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameTable(t, *back);
  EXPECT_EQ(back->column(1).int_value(2), -9007199254740993);
  EXPECT_EQ(back->column(2).float_value(2), -1e-300);
}

TEST(TableCodec, RoundTripsEmptyTables) {
  for (const Table& t : {Table(), TableOf("a:int,b:text", "")}) {
    auto back = DecodeTable(EncodeTable(t));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ExpectSameTable(t, *back);
  }
}

TEST(TableCodec, RoundTripsManyRowsAcrossBitmapBytes) {
  Table t;
  Column* v = t.AddColumn("v", ColumnType::kFloat);
  Column* s = t.AddColumn("s", ColumnType::kText);
  for (int i = 0; i < 1001; ++i) {
    if (i % 7 == 0) {
      v->AppendNull();
    } else {
      v->AppendFloat(i * 0.5);
    }
    s->AppendText(std::string(static_cast<size_t>(i % 13), 'a' + i % 26));
  }
  auto back = DecodeTable(EncodeTable(t));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameTable(t, *back);
}

TEST(TableCodec, RefusesEveryTruncation) {
  const std::string bytes = EncodeTable(EveryType());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto t = DecodeTable(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(t.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(t.status().code(), StatusCode::kDataLoss);
  }
  EXPECT_FALSE(DecodeTable(bytes + "x").ok()) << "trailing bytes accepted";
}

TEST(TableCodec, RefusesGarbageWithoutCrashing) {
  std::mt19937 rng(7);
  const std::string good = EncodeTable(EveryType());
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = good;
    // Flip a few bytes after the magic; any outcome but a crash is fine,
    // and a success must still be a well-formed table.
    for (int k = 0; k < 3; ++k) bytes[4 + rng() % (bytes.size() - 4)] = static_cast<char>(rng());
    auto t = DecodeTable(bytes);
    if (t.ok()) {
      for (size_t c = 0; c < t->num_columns(); ++c) EXPECT_EQ(t->column(c).size(), t->num_rows());
    }
  }
  EXPECT_EQ(DecodeTable("QTB2 not a table").status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace quire
