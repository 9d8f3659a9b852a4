#include "lnscope/core/file_io.h"

#include "lnscope/core/error.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

namespace lnscope::core {

namespace fs = std::filesystem;

std::string readWholeFile(const fs::path& path, uint64_t maxBytes, const std::string& what)
{
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status))
        throw IoError(path.string() + ": no such file");
    if (!fs::is_regular_file(status))
        throw IoError(path.string() + ": is not a regular file");
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec)
        throw IoError(path.string() + ": cannot read the file size: " + ec.message());
    if (size > maxBytes)
        throw FormatError(path.string() + ": " + std::to_string(size) + " bytes is too large for " + what);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path.string() + ": cannot open for reading");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        throw IoError(path.string() + ": read failed");
    return std::move(buffer).str();
}

void writeFileAtomically(const fs::path& path, std::string_view bytes)
{
    const fs::path tmp = path.string() + ".part";
    auto removeTmp = [&] {
        std::error_code ignored;
        fs::remove(tmp, ignored);
    };
    // stdio rather than ofstream: fclose reports a failed final flush, which is where a full
    // disk shows up; an ofstream destructor would swallow it.
    std::FILE* file = std::fopen(tmp.string().c_str(), "wb");
    if (!file)
        throw IoError(path.string() + ": cannot open for writing");
    const bool written = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
    const bool flushed = std::fflush(file) == 0;
    const bool closed = std::fclose(file) == 0;
    if (!written || !flushed || !closed) {
        removeTmp();
        throw IoError(path.string() + ": write failed");
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        removeTmp();
        throw IoError(path.string() + ": cannot rename the temporary file: " + ec.message());
    }
}

} // namespace lnscope::core
