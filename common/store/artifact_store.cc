#include "common/store/artifact_store.h"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "common/store/artifact_database.h"

namespace quire {
namespace fs = std::filesystem;

namespace {

bool SafeName(const std::string& s) {
  return !s.empty() && s.find('/') == std::string::npos && s.find("..") == std::string::npos;
}

// Reads an artifact 1 MiB at a time (ReadSlice) and hands it out in chunks
// from memory: a reader of 64 KiB chunks does I/O for every 16th only.
class SliceReader : public ArtifactReader {
 public:
  StatusOr<std::string> Next(size_t max) override {
    if (pos_ == buffer_.size()) {
      auto slice = ReadSlice(kSlice);
      if (!slice.ok()) return slice.status();
      buffer_ = std::move(*slice);
      pos_ = 0;
    }
    const size_t n = std::min(max, buffer_.size() - pos_);
    std::string out = buffer_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  size_t Buffered() const override { return buffer_.size() - pos_; }

 protected:
  // The next up to `max` bytes; empty at the end.
  virtual StatusOr<std::string> ReadSlice(size_t max) = 0;

 private:
  static constexpr size_t kSlice = 1 << 20;
  std::string buffer_;
  size_t pos_ = 0;
};

class FileReader final : public SliceReader {
 public:
  explicit FileReader(const std::string& path) : in_(path, std::ios::binary) {}
  bool ok() const { return static_cast<bool>(in_); }

 private:
  StatusOr<std::string> ReadSlice(size_t max) override {
    std::string buf(max, '\0');
    in_.read(buf.data(), static_cast<std::streamsize>(max));
    buf.resize(static_cast<size_t>(in_.gcount()));
    return buf;
  }

  std::ifstream in_;
};

class DatabaseReader final : public SliceReader {
 public:
  DatabaseReader(ArtifactDatabase* db, ArtifactInfo artifact)
      : db_(db), artifact_(std::move(artifact)) {}

 private:
  StatusOr<std::string> ReadSlice(size_t max) override {
    auto slice = db_->ReadRange(artifact_, offset_, max);
    if (slice.ok()) offset_ += static_cast<int64_t>(slice->size());
    return slice;
  }

  ArtifactDatabase* const db_;
  const ArtifactInfo artifact_;
  int64_t offset_ = 0;  // of the next slice in the artifact
};

}  // namespace

std::string ContentTypeFor(const std::string& format) {
  if (format == "pdf") return "application/pdf";
  if (format == "xlsx") return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  if (format == "png") return "image/png";
  if (format == "svg") return "image/svg+xml";
  if (format == "csv") return "text/csv";
  if (format == "json") return "application/json";
  return "application/octet-stream";
}

StatusOr<std::string> FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open '" + path + "'");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  char buf[65536];
  while (in) {
    in.read(buf, sizeof(buf));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx, buf, static_cast<size_t>(in.gcount()));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

ArtifactStore::ArtifactStore(std::string root, ArtifactDatabase* database)
    : root_(std::move(root)), database_(database) {}

StatusOr<std::string> ArtifactStore::StagingDir(const std::string& job_id, int64_t token) {
  if (!SafeName(job_id)) return Status::InvalidArgument("bad job id '" + job_id + "'");
  fs::path dir = fs::path(root_) / ".staging" / (job_id + "-" + std::to_string(token));
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return Status::Internal("cannot create '" + dir.string() + "': " + ec.message());
  return dir.string();
}

StatusOr<std::vector<ArtifactInfo>> ArtifactStore::Commit(const std::string& job_id,
                                                          int64_t token) {
  fs::path staging = fs::path(root_) / ".staging" / (job_id + "-" + std::to_string(token));
  fs::path final_dir = fs::path(root_) / job_id / std::to_string(token);
  std::error_code ec;
  if (database_ == nullptr) {
    fs::create_directories(final_dir.parent_path(), ec);
    fs::remove_all(final_dir, ec);
    fs::rename(staging, final_dir, ec);
    if (ec)
      return Status::Internal("cannot store artifacts of job " + job_id + ": " + ec.message());
  }
  const fs::path dir = database_ == nullptr ? final_dir : staging;
  std::vector<ArtifactInfo> out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    ArtifactInfo a;
    a.name = entry.path().filename().string();
    std::string ext = entry.path().extension().string();
    a.format = ext.empty() ? "" : ext.substr(1);
    a.content_type = ContentTypeFor(a.format);
    a.size_bytes = static_cast<int64_t>(entry.file_size());
    auto sha = FileSha256(entry.path().string());
    if (!sha.ok()) return sha.status();
    a.sha256 = *sha;
    a.location = database_ == nullptr ? job_id + "/" + std::to_string(token) + "/" + a.name
                                      : ArtifactDatabase::Location(job_id, token, a.name);
    out.push_back(std::move(a));
  }
  if (ec) return Status::Internal("cannot list artifacts of job " + job_id + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
  if (database_ != nullptr) {
    std::vector<std::string> files;
    for (const auto& a : out) files.push_back((staging / a.name).string());
    if (Status s = database_->Put(job_id, token, out, files); !s.ok()) return s;
    fs::remove_all(staging, ec);
  }
  return out;
}

void ArtifactStore::Discard(const std::string& job_id, int64_t token) {
  std::error_code ec;
  fs::remove_all(fs::path(root_) / ".staging" / (job_id + "-" + std::to_string(token)), ec);
  fs::remove_all(fs::path(root_) / job_id / std::to_string(token), ec);
  if (database_ != nullptr) {
    if (Status s = database_->DeleteRuns(job_id, token, /*keep=*/false); !s.ok()) {
      spdlog::warn("cannot delete the artifacts of a discarded run: {}", s.message());
    }
  }
}

std::vector<ArtifactStore::StagedRun> ArtifactStore::StagedRuns() const {
  std::vector<StagedRun> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(root_) / ".staging", ec)) {
    const std::string name = e.path().filename().string();
    const size_t dash = name.rfind('-');
    if (dash == std::string::npos || dash == 0) continue;
    StagedRun run;
    run.job_id = name.substr(0, dash);
    run.token = std::strtoll(name.c_str() + dash + 1, nullptr, 10);
    if (!SafeName(run.job_id) || run.token <= 0) continue;
    out.push_back(std::move(run));
  }
  return out;
}

void ArtifactStore::RemoveStaging(const StagedRun& run) {
  std::error_code ec;
  fs::remove_all(fs::path(root_) / ".staging" / (run.job_id + "-" + std::to_string(run.token)), ec);
}

void ArtifactStore::RemoveOtherRuns(const std::string& job_id, int64_t token) {
  if (!SafeName(job_id)) return;
  const std::string keep = std::to_string(token);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(root_) / job_id, ec)) {
    if (e.path().filename().string() != keep) fs::remove_all(e.path(), ec);
  }
  if (database_ != nullptr) {
    if (Status s = database_->DeleteRuns(job_id, token, /*keep=*/true); !s.ok()) {
      spdlog::warn("cannot delete the artifacts of earlier runs: {}", s.message());
    }
  }
}

StatusOr<int64_t> ArtifactStore::RemoveExpired(std::chrono::seconds age) {
  int64_t removed = 0;
  const auto cutoff = fs::file_time_type::clock::now() - age;
  std::error_code ec;
  for (const auto& job : fs::directory_iterator(root_, ec)) {
    const std::string name = job.path().filename().string();
    if (name == ".staging" || !job.is_directory(ec)) continue;
    bool empty = true;
    for (const auto& run : fs::directory_iterator(job.path(), ec)) {
      std::error_code tec;
      const auto written = fs::last_write_time(run.path(), tec);
      if (!tec && written < cutoff) {
        fs::remove_all(run.path(), tec);
        ++removed;
      } else {
        empty = false;
      }
    }
    if (empty) fs::remove(job.path(), ec);
  }
  if (database_ != nullptr) {
    auto rows = database_->DeleteOlderThan(age);
    if (!rows.ok()) return rows.status();
    removed += *rows;
  }
  return removed;
}

StatusOr<std::unique_ptr<ArtifactReader>> ArtifactStore::Open(const ArtifactInfo& artifact) const {
  if (ArtifactDatabase::IsLocation(artifact.location)) {
    if (database_ == nullptr) {
      return Status::FailedPrecondition(
          "artifact '" + artifact.name +
          "' is kept in PostgreSQL; set artifacts.store: postgres (and history.dsn) here too");
    }
    // Check that it is there before the first chunk is promised.
    auto first = database_->ReadRange(artifact, 0, 0);
    if (!first.ok()) return first.status();
    return std::unique_ptr<ArtifactReader>(new DatabaseReader(database_, artifact));
  }
  if (artifact.location.find("..") != std::string::npos) {
    return Status::Internal("artifact location escapes the store");
  }
  auto reader = std::make_unique<FileReader>((fs::path(root_) / artifact.location).string());
  if (!reader->ok()) {
    return Status::NotFound("artifact '" + artifact.name +
                            "' is no longer stored (artifacts.retention_s)");
  }
  return std::unique_ptr<ArtifactReader>(std::move(reader));
}

Status ArtifactStore::Read(
    const ArtifactInfo& artifact, size_t chunk_size,
    const std::function<bool(const char*, size_t, int64_t, int64_t)>& sink) const {
  auto reader = Open(artifact);
  if (!reader.ok()) return reader.status();
  int64_t offset = 0;
  for (;;) {
    auto chunk = (*reader)->Next(chunk_size);
    if (!chunk.ok()) return chunk.status();
    if (chunk->empty()) return Status::OK();
    if (!sink(chunk->data(), chunk->size(), offset, artifact.size_bytes)) {
      return Status::Cancelled("reader stopped");
    }
    offset += static_cast<int64_t>(chunk->size());
  }
}

}  // namespace quire
