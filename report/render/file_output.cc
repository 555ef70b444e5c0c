// Files written through a .partial name and moved into place.
#include "report/render/file_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace quire {

Status MoveIntoPlace(const std::string& partial, const std::string& path) {
  struct stat old;
  if (::lstat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode)) {
    if (::renameat2(AT_FDCWD, partial.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
      // `partial` now names the old file. Should removing it fail, it is
      // left beside the complete `path` as a partial file anyone may
      // delete: not worth failing the new file for.
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

std::string PartialPath(const std::string& path) {
  static std::atomic<uint64_t> count{0};
  return path + ".partial-" + std::to_string(::getpid()) + "-" + std::to_string(++count);
}

Status WriteFileAtomically(const std::string& path, const std::function<bool(FILE*)>& write) {
  const std::string partial = PartialPath(path);
  FILE* f = std::fopen(partial.c_str(), "wbx");  // x: never someone else's file
  if (f == nullptr) {
    return Status::Internal("cannot create " + partial + ": " + std::strerror(errno));
  }
  const bool written = write(f) && std::ferror(f) == 0;
  const int write_errno = errno;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    const int e = !written ? write_errno : errno;
    std::remove(partial.c_str());
    return Status::Internal("cannot write " + partial + ": " + std::strerror(e));
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
