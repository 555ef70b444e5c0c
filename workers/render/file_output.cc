// Files written through a .partial name and a rename.
#include "workers/render/file_output.h"

namespace quire {

Status WriteFileAtomically(const std::string& path, const std::function<bool(FILE*)>& write) {
  const std::string partial = path + ".partial";
  FILE* f = std::fopen(partial.c_str(), "wb");
  if (f == nullptr) return Status::Internal("cannot create " + partial);
  const bool written = write(f) && std::ferror(f) == 0;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    std::remove(partial.c_str());
    return Status::Internal("cannot write " + partial);
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    return Status::Internal("cannot rename " + partial + " to " + path);
  }
  return Status::OK();
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  return WriteFileAtomically(path, [bytes](FILE* f) {
    return std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  });
}

}  // namespace quire
