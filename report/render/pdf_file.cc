// PdfFile: objects appended to one string as they are written, their
// offsets kept for the cross-reference table; streams deflated by
// libdeflate.
#include "report/render/internal/pdf_file.h"

#include <glib.h>
#include <libdeflate.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace quire {
namespace {

// Far beyond any page; and, with six decimals, far within int64_t.
constexpr double kMaxPdfNumber = 1e9;
// Streams are deflated by libdeflate at its level 1: on a scatter chart's
// 34 KB of coordinates, half the instructions of zlib at level 1 (zlib's
// bit output alone is ~65 instructions a byte) and 14% smaller; zlib's
// level 6, which cairo uses, takes five times as many.
constexpr int kDeflateLevel = 1;

}  // namespace

PdfFile::PdfFile() { out_ = "%PDF-1.5\n%\xE2\xE3\xCF\xD3\n"; }

PdfFile::~PdfFile() {
  if (deflater_ != nullptr) libdeflate_free_compressor(deflater_);
}

int PdfFile::Reserve() {
  offsets_.push_back(0);
  return static_cast<int>(offsets_.size());
}

std::string& PdfFile::Begin(int id) {
  offsets_[static_cast<size_t>(id - 1)] = out_.size();
  out_ += std::to_string(id) + " 0 obj\n";
  return out_;
}

void PdfFile::End() { out_ += "endobj\n"; }

Status PdfFile::Stream(int id, std::string_view data, const std::string& extra) {
  std::string z;
  QUIRE_RETURN_IF_ERROR(Deflate(data, &z));
  std::string& o = Begin(id);
  o += "<< /Length " + std::to_string(z.size()) + " /Filter /FlateDecode" + extra + " >>\nstream\n";
  o += z;
  o += "\nendstream\n";
  End();
  return Status::OK();
}

std::string PdfFile::Finish(int root, int info) {
  const size_t xref = out_.size();
  out_ += "xref\n0 " + std::to_string(offsets_.size() + 1) + "\n0000000000 65535 f \n";
  char line[32];
  for (size_t offset : offsets_) {
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
    out_ += line;
  }
  out_ += "trailer\n<< /Size " + std::to_string(offsets_.size() + 1) + " /Root " +
          std::to_string(root) + " 0 R /Info " + std::to_string(info) + " 0 R >>\nstartxref\n" +
          std::to_string(xref) + "\n%%EOF\n";
  return std::move(out_);
}

Status PdfFile::Deflate(std::string_view data, std::string* out) {
  if (deflater_ == nullptr) deflater_ = libdeflate_alloc_compressor(kDeflateLevel);
  if (deflater_ == nullptr) return Status::Internal("cannot start deflate");
  out->resize(libdeflate_zlib_compress_bound(deflater_, data.size()));
  const size_t n =
      libdeflate_zlib_compress(deflater_, data.data(), data.size(), out->data(), out->size());
  if (n == 0) return Status::Internal("deflate failed");
  out->resize(n);
  return Status::OK();
}

void AppendPdfNumber(std::string* out, double v, int decimals) {
  static constexpr int64_t kScale[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  if (!std::isfinite(v)) v = 0;
  decimals = std::clamp(decimals, 0, 6);
  const int64_t scale = kScale[decimals];
  if (std::fabs(v) > kMaxPdfNumber) v = std::copysign(kMaxPdfNumber, v);
  char buf[32];
  char* end = buf + sizeof buf;
  char* p = end;
  const int64_t scaled = std::llround(v * static_cast<double>(scale));
  uint64_t magnitude = scaled < 0 ? static_cast<uint64_t>(-scaled) : static_cast<uint64_t>(scaled);
  uint64_t whole = magnitude / static_cast<uint64_t>(scale);
  uint64_t fraction = magnitude % static_cast<uint64_t>(scale);
  if (fraction != 0) {
    int digits = decimals;
    while (fraction % 10 == 0) {  // trailing zeros
      fraction /= 10;
      --digits;
    }
    for (int i = 0; i < digits; ++i, fraction /= 10) *--p = static_cast<char>('0' + fraction % 10);
    *--p = '.';
  }
  do {
    *--p = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole != 0);
  if (scaled < 0) *--p = '-';
  out->append(p, end);
}

void AppendHex4(std::string* out, uint32_t v) {
  static const char kHex[] = "0123456789ABCDEF";
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(v >> shift) & 0xF]);
}

std::string Utf16Hex(std::string_view text) {
  gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
  glong units = 0;
  gunichar2* utf16 = g_utf8_to_utf16(valid, -1, nullptr, &units, nullptr);
  std::string out;
  for (glong i = 0; utf16 != nullptr && i < units; ++i) AppendHex4(&out, utf16[i]);
  g_free(utf16);
  g_free(valid);
  return out;
}

}  // namespace quire
