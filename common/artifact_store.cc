#include "common/artifact_store.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>

namespace quire {
namespace fs = std::filesystem;

namespace {

bool SafeName(const std::string& s) {
  return !s.empty() && s.find('/') == std::string::npos && s.find("..") == std::string::npos;
}

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

ArtifactStore::ArtifactStore(std::string root) : root_(std::move(root)) {}

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
  fs::create_directories(final_dir.parent_path(), ec);
  fs::remove_all(final_dir, ec);
  fs::rename(staging, final_dir, ec);
  if (ec) return Status::Internal("cannot store artifacts of job " + job_id + ": " + ec.message());
  std::vector<ArtifactInfo> out;
  for (const auto& entry : fs::directory_iterator(final_dir)) {
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
    a.location = job_id + "/" + std::to_string(token) + "/" + a.name;
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
  return out;
}

void ArtifactStore::Discard(const std::string& job_id, int64_t token) {
  std::error_code ec;
  fs::remove_all(fs::path(root_) / ".staging" / (job_id + "-" + std::to_string(token)), ec);
  fs::remove_all(fs::path(root_) / job_id / std::to_string(token), ec);
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
}

Status ArtifactStore::Read(
    const ArtifactInfo& artifact, size_t chunk_size,
    const std::function<bool(const char*, size_t, int64_t, int64_t)>& sink) const {
  if (artifact.location.find("..") != std::string::npos) {
    return Status::Internal("artifact location escapes the store");
  }
  std::string path = (fs::path(root_) / artifact.location).string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("artifact '" + artifact.name + "' is no longer stored");
  std::error_code ec;
  auto total = static_cast<int64_t>(fs::file_size(path, ec));
  std::string buf(chunk_size, '\0');
  int64_t offset = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(chunk_size));
    auto n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    if (!sink(buf.data(), n, offset, total)) return Status::Cancelled("reader stopped");
    offset += static_cast<int64_t>(n);
  }
  return Status::OK();
}

}  // namespace quire
