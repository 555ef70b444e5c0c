// Output files moved into place whole: created, replaced (an open reader
// keeps the old file), and refused without leaving anything behind.
#include "report/render/file_output.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "tests/unit/test_util.h"

namespace quire {
namespace {

using test::ReadFile;
using test::TempDir;

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(FileOutputTest, CreatesTheFileAndLeavesNoPartial) {
  TempDir dir;
  const std::string path = dir.File("chart.pdf");
  ASSERT_TRUE(WriteFileAtomically(path, std::string_view("first")).ok());
  EXPECT_EQ(ReadFile(path), "first");
  EXPECT_FALSE(test::PartialLeft(path));
}

TEST(FileOutputTest, ReplacesAFileWhileAReaderKeepsTheOldOne) {
  TempDir dir;
  const std::string path = dir.File("chart.pdf");
  Write(path, "the old chart, longer than the new one");
  const int reader = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(reader, 0);
  struct stat before;
  ASSERT_EQ(::stat(path.c_str(), &before), 0);

  ASSERT_TRUE(WriteFileAtomically(path, std::string_view("new")).ok());
  EXPECT_EQ(ReadFile(path), "new");
  EXPECT_FALSE(test::PartialLeft(path));
  struct stat after;
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_NE(after.st_ino, before.st_ino) << "the file was rewritten in place, not replaced";
  // The reader's file was neither truncated nor rewritten.
  char buf[64] = {};
  const ssize_t n = ::pread(reader, buf, sizeof buf - 1, 0);
  ::close(reader);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0),
            "the old chart, longer than the new one");

  ASSERT_TRUE(WriteFileAtomically(path, std::string_view("third")).ok());
  EXPECT_EQ(ReadFile(path), "third");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(FileOutputTest, ADirectoryInTheWayIsAnErrorAndStaysAsItWas) {
  TempDir dir;
  const std::string path = dir.File("out");
  std::filesystem::create_directory(path);
  Write(path + "/keep.txt", "kept");
  const Status status = WriteFileAtomically(path, std::string_view("bytes"));
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("cannot rename"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(path), std::string::npos) << status.message();
  EXPECT_TRUE(std::filesystem::is_directory(path));
  EXPECT_EQ(ReadFile(path + "/keep.txt"), "kept");
  EXPECT_FALSE(test::PartialLeft(path));
}

TEST(FileOutputTest, MovingAMissingPartialNamesBothFilesAndKeepsTheTarget) {
  TempDir dir;
  const std::string path = dir.File("report.xlsx");
  Write(path, "old");
  const Status status = MoveIntoPlace(path + ".partial", path);
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find(path + ".partial"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("No such file"), std::string::npos) << status.message();
  EXPECT_EQ(ReadFile(path), "old");
}

TEST(FileOutputTest, AnUnwritableDirectoryIsAnErrorNamingThePartialFile) {
  TempDir dir;
  const std::string path = dir.File("missing/chart.png");
  const Status status = WriteFileAtomically(path, std::string_view("bytes"));
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find(path + ".partial"), std::string::npos) << status.message();
}

TEST(FileOutputTest, WritersOfOnePathNeverShareAPartialFile) {
  // Four threads rewrite one file 50 times each, each with its own
  // content: at every moment the file is one writer's whole content.
  TempDir dir;
  const std::string path = dir.File("chart.png");
  std::vector<std::string> contents;
  for (char c : {'a', 'b', 'c', 'd'}) contents.push_back(std::string(20000 + (c - 'a'), c));
  std::atomic<int> failures{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (const std::string& content : contents) {
    writers.emplace_back([&] {
      for (int i = 0; i < 50; ++i) failures += !WriteFileAtomically(path, content).ok();
    });
  }
  int torn = 0;
  std::thread reader([&] {
    while (!done) {
      const std::string seen = ReadFile(path);
      if (!seen.empty() && std::find(contents.begin(), contents.end(), seen) == contents.end()) {
        ++torn;
      }
    }
  });
  for (std::thread& t : writers) t.join();
  done = true;
  reader.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(torn, 0);
  EXPECT_NE(std::find(contents.begin(), contents.end(), ReadFile(path)), contents.end());
  EXPECT_FALSE(test::PartialLeft(path));
  EXPECT_NE(PartialPath(path), PartialPath(path));
}

}  // namespace
}  // namespace quire
