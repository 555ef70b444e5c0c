// PdfFile: a PDF document as it is written, object by object — numbered
// objects, their offsets for the cross-reference table, deflated streams —
// and the forms PDF gives numbers and text strings. What the objects say
// (the page, its fonts) is its writers': PdfCanvas (pdf_canvas.h) and
// PdfFont (pdf_font.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

struct libdeflate_compressor;

namespace quire {

// One document being written: its header at construction, then objects in
// any order of their numbers, then Finish. Not thread-safe.
class PdfFile {
 public:
  PdfFile();
  ~PdfFile();
  PdfFile(const PdfFile&) = delete;
  PdfFile& operator=(const PdfFile&) = delete;

  // Reserves an object number (written later with Begin).
  int Reserve();
  // Starts object `id`: its body is appended to the returned string, and
  // End closes it.
  std::string& Begin(int id);
  void End();
  // A deflated stream object with `extra` dictionary entries. INTERNAL when
  // libdeflate fails.
  Status Stream(int id, std::string_view data, const std::string& extra = "");
  // The whole file: the objects, the cross-reference table and a trailer
  // naming the catalog `root` and the document information `info`.
  std::string Finish(int root, int info);

 private:
  // `data` as a zlib stream (what /FlateDecode reads).
  Status Deflate(std::string_view data, std::string* out);

  std::string out_;
  std::vector<size_t> offsets_;
  libdeflate_compressor* deflater_ = nullptr;
};

// Appends `v` to `out` as a PDF number with up to `decimals` (0..6)
// decimals, trailing zeros dropped: no exponent, "-0" as "0", a non-finite
// value as 0, magnitudes past 1e9 (no page is that big) as 1e9. A chart writes thousands of them:
// the value is scaled to an integer and printed as one, a tenth of the cost of to_chars with a
// precision.
void AppendPdfNumber(std::string* out, double v, int decimals = 3);

// Appends the low 16 bits of `v` as four hex digits (a glyph id, a UTF-16
// unit).
void AppendHex4(std::string* out, uint32_t v);

// UTF-16BE hex of UTF-8 `text` (invalid bytes as U+FFFD), for a hex text
// string or a ToUnicode map.
std::string Utf16Hex(std::string_view text);

}  // namespace quire
