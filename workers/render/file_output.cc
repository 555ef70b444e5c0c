// Files written through a .partial name and moved into place.
#include "workers/render/file_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace quire {

Status MoveIntoPlace(const std::string& partial, const std::string& path) {
  struct stat old;
  if (::lstat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode)) {
    if (::renameat2(AT_FDCWD, partial.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
      // `partial` now names the old file. Should removing it fail, a stale
      // .partial is left beside the complete `path`, and the next write
      // there replaces it: not worth failing the new file for.
      ::unlink(partial.c_str());
      return Status::OK();
    }
    // EINVAL or ENOSYS: no exchange on this filesystem or kernel; other
    // errors are met again, and reported, by the rename.
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    return Status::Internal("cannot rename " + partial + " to " + path + ": " +
                            std::strerror(errno));
  }
  return Status::OK();
}

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
  Status status = MoveIntoPlace(partial, path);
  if (!status.ok()) std::remove(partial.c_str());
  return status;
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  return WriteFileAtomically(path, [bytes](FILE* f) {
    return std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  });
}

}  // namespace quire
