#pragma once
// Whole-file input and atomic output shared by every reader and writer of the project (core's
// formats, the CLI's JSON, the scene generator), so every file refuses the same bad paths (FIFOs,
// folders, huge files) with the same words and no interrupted write leaves a file that looks complete.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace lnscope::core {

/// Reads a regular file whole. IoError "<path>: no such file" / "is not a regular file" (a FIFO
/// would block forever, a device never ends) / "cannot open for reading" / "read failed";
/// FormatError "<path>: N bytes is too large for <what>" when the file holds more than maxBytes
/// — checked on the size before anything is read.
std::string readWholeFile(const std::filesystem::path& path, uint64_t maxBytes, const std::string& what);

/// Writes bytes to "<path>.part", checks the close (a full disk may only show there) and renames
/// it over path, so readers never see half a file. IoError naming path on failure; the .part is
/// removed and an existing file at path is left as it was.
void writeFileAtomically(const std::filesystem::path& path, std::string_view bytes);

} // namespace lnscope::core
