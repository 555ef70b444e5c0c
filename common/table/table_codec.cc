// The binary table encoding (little-endian hosts write it; a decoder on a
// host of the other byte order sees a different magic and refuses it):
//   "QTB1"  u32 columns  u64 rows
//   per column: u32 name length, name, u8 type, ceil(rows/8) null-bitmap
//   bytes (bit set = value present), then
//     int/date/bool: rows × i64   float: rows × f64
//     text: rows × u32 lengths, then the bytes of every text in row order
#include "common/table/table_codec.h"

#include <cstdint>
#include <cstring>

namespace quire {
namespace {

constexpr uint32_t kMagic = 0x31425451;  // "QTB1" read as a little-endian u32

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Reads from a byte string, failing (not crashing) at its end.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  template <typename T>
  bool Get(T* v) {
    if (static_cast<size_t>(end_ - p_) < sizeof(T)) return false;
    std::memcpy(v, p_, sizeof(T));
    p_ += sizeof(T);
    return true;
  }
  // The next `n` bytes; nullptr when fewer are left.
  const char* Take(uint64_t n) {
    if (static_cast<uint64_t>(end_ - p_) < n) return nullptr;
    const char* at = p_;
    p_ += n;
    return at;
  }
  bool done() const { return p_ == end_; }

 private:
  const char* p_;
  const char* end_;
};

Status Corrupt(const std::string& what) {
  return Status(StatusCode::kDataLoss, "cached table is corrupt: " + what);
}

}  // namespace

class ColumnCodec {
 public:
  static void Encode(const Column& c, size_t rows, std::string* out) {
    Put<uint32_t>(out, static_cast<uint32_t>(c.name_.size()));
    out->append(c.name_);
    Put<uint8_t>(out, static_cast<uint8_t>(c.type_));
    std::string bitmap((rows + 7) / 8, '\0');
    for (size_t r = 0; r < rows; ++r) {
      if (c.valid_[r]) bitmap[r / 8] = static_cast<char>(bitmap[r / 8] | (1 << (r % 8)));
    }
    out->append(bitmap);
    switch (c.type_) {
      case ColumnType::kText: {
        for (size_t r = 0; r < rows; ++r)
          Put<uint32_t>(out, static_cast<uint32_t>(c.texts_[r].size()));
        for (size_t r = 0; r < rows; ++r) out->append(c.texts_[r]);
        break;
      }
      case ColumnType::kFloat:
        out->append(reinterpret_cast<const char*>(c.floats_.data()), rows * sizeof(double));
        break;
      default:
        out->append(reinterpret_cast<const char*>(c.ints_.data()), rows * sizeof(int64_t));
        break;
    }
  }

  static Status Decode(Reader& in, uint64_t rows, Table* table) {
    uint32_t name_len = 0;
    if (!in.Get(&name_len)) return Corrupt("truncated column header");
    const char* name = in.Take(name_len);
    uint8_t type = 0;
    if (name == nullptr || !in.Get(&type)) return Corrupt("truncated column header");
    if (type > static_cast<uint8_t>(ColumnType::kDate)) return Corrupt("unknown column type");
    Column* c = table->AddColumn(std::string(name, name_len), static_cast<ColumnType>(type));
    if (c == nullptr) return Corrupt("duplicate column name");
    const char* bitmap = in.Take((rows + 7) / 8);
    if (bitmap == nullptr) return Corrupt("truncated null bitmap");
    c->valid_.resize(rows);
    for (uint64_t r = 0; r < rows; ++r) c->valid_[r] = (bitmap[r / 8] >> (r % 8)) & 1;
    switch (c->type_) {
      case ColumnType::kText: {
        const char* lengths = in.Take(rows * sizeof(uint32_t));
        if (lengths == nullptr) return Corrupt("truncated text lengths");
        c->texts_.resize(rows);
        for (uint64_t r = 0; r < rows; ++r) {
          uint32_t len = 0;
          std::memcpy(&len, lengths + r * sizeof(uint32_t), sizeof len);
          const char* text = in.Take(len);
          if (text == nullptr) return Corrupt("truncated text");
          c->texts_[r].assign(text, len);
        }
        break;
      }
      case ColumnType::kFloat: {
        const char* values = in.Take(rows * sizeof(double));
        if (values == nullptr) return Corrupt("truncated values");
        c->floats_.resize(rows);
        if (rows > 0) std::memcpy(c->floats_.data(), values, rows * sizeof(double));
        break;
      }
      default: {
        const char* values = in.Take(rows * sizeof(int64_t));
        if (values == nullptr) return Corrupt("truncated values");
        c->ints_.resize(rows);
        if (rows > 0) std::memcpy(c->ints_.data(), values, rows * sizeof(int64_t));
        break;
      }
    }
    return Status::OK();
  }
};

std::string EncodeTable(const Table& table) {
  const size_t rows = table.num_rows();
  std::string out;
  Put<uint32_t>(&out, kMagic);
  Put<uint32_t>(&out, static_cast<uint32_t>(table.num_columns()));
  Put<uint64_t>(&out, rows);
  for (size_t i = 0; i < table.num_columns(); ++i) ColumnCodec::Encode(table.column(i), rows, &out);
  return out;
}

StatusOr<Table> DecodeTable(std::string_view bytes) {
  Reader in(bytes);
  uint32_t magic = 0, columns = 0;
  uint64_t rows = 0;
  if (!in.Get(&magic) || magic != kMagic) return Corrupt("not a Quire table encoding");
  if (!in.Get(&columns) || !in.Get(&rows)) return Corrupt("truncated header");
  // Every row costs at least one bitmap bit per column; a larger count is a lie.
  if (columns > 0 && rows > static_cast<uint64_t>(bytes.size()) * 8) {
    return Corrupt("row count exceeds the data");
  }
  Table table;
  for (uint32_t i = 0; i < columns; ++i) {
    QUIRE_RETURN_IF_ERROR(ColumnCodec::Decode(in, rows, &table));
  }
  if (!in.done()) return Corrupt("trailing bytes");
  return table;
}

}  // namespace quire
