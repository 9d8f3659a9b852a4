#pragma once
// The .lnsz container: one versioned binary file holding named, checksummed sections. A converted
// model is saved as one .lnsz file (weights as float sections, graph and metadata as JSON).
//
// ---------------------------------------------------------------------------------------------
// File format, version 1. All integers are unsigned and little-endian; offsets and lengths are
// in bytes from the start of the file.
//
//   offset          size     field
//   0               4        magic: the ASCII bytes "LNSZ"
//   4               4        u32 format version (1)
//   8               4        u32 section count N
//   12              4        u32 reserved, written as 0 (ignored on read)
//   16              88*N     section table, N entries in the order the sections were added:
//                              +0   64  name: 1..63 bytes of UTF-8, no NUL, padded with NULs
//                                       (so at least one NUL ends it)
//                              +64  4   u32 type tag (SectionType)
//                              +68  4   u32 CRC-32 of the payload bytes
//                              +72  8   u64 payload offset (a multiple of 8)
//                              +80  8   u64 payload length
//   16+88*N         4        u32 header CRC-32 over bytes [0, 16+88*N)
//   then            0..7     zero padding to the next multiple of 8
//   then                     payloads, in table order, each starting at its 8-aligned offset,
//                            separated by zero padding; the file ends right after the last payload.
//
// CRC-32 is IEEE 802.3 (reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF), as in
// zip and PNG: crc32("123456789") == 0xCBF43926.
//
// Payload encodings by type tag: Float32 = IEEE-754 binary32 values, Int64 = two's-complement
// 64-bit values, both little-endian and packed; Json = UTF-8 text without a terminating NUL;
// Bytes = opaque. Tags this build does not know are kept and read back as plain bytes, so new
// section types do not need a new format version; a new layout does.
//
// Readers check the version before anything else, because a newer version may lay out the rest
// differently; so a bit flipped in the version field reads as "newer version" rather than
// "corrupt". Every other header bit is covered by the header CRC.
// The file holds no timestamps or host data: the same sections in the same order give
// byte-identical files.
// ---------------------------------------------------------------------------------------------

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lnscope::core {

/// Type tag stored with each section (u32 on disk). Values are part of the file format: never
/// renumber, only append.
enum class SectionType : uint32_t {
    Bytes = 0,   ///< opaque bytes
    Float32 = 1, ///< packed little-endian float32
    Int64 = 2,   ///< packed little-endian int64
    Json = 3,    ///< UTF-8 JSON text
};

/// Readable name of a type tag ("Float32", or "type 7" for tags this build does not know).
std::string sectionTypeName(SectionType type);

/// CRC-32 (IEEE 802.3) of `bytes`. Pass a previous result as `crc` to continue over more data:
/// crc32(b, crc32(a)) == crc32(a followed by b).
uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc = 0);

/// Constants of format version 1 (see the layout above).
inline constexpr uint32_t kLnszFormatVersion = 1;
inline constexpr size_t kLnszMaxNameBytes = 63;
inline constexpr size_t kLnszFixedHeaderBytes = 16;
inline constexpr size_t kLnszTableEntryBytes = 88;
inline constexpr size_t kLnszPayloadAlignment = 8;

/// Collects sections in memory and writes them as one .lnsz file.
/// Not thread-safe; a writer may be written several times and to several paths.
class LnszWriter
{
public:
    /// Adds a section; sections are stored in the order they are added.
    /// Throws FormatError if the name is empty, longer than 63 bytes, contains a NUL, is not valid
    /// UTF-8 or was already added.
    void addSection(std::string name, SectionType type, std::vector<uint8_t> bytes);
    /// Float32 section (little-endian on disk whatever the host).
    void addFloats(std::string name, std::span<const float> values);
    /// Int64 section (little-endian on disk whatever the host).
    void addInts(std::string name, std::span<const int64_t> values);
    /// Json section; `json` is stored as given (not parsed or validated here).
    void addJson(std::string name, std::string_view json);

    size_t sectionCount() const { return m_sections.size(); }

    /// Writes the file atomically: the bytes go to "<path>.part" (replacing any stale one), which
    /// is then renamed over `path`, replacing an existing file. On any failure the .part file is
    /// removed, `path` is left as it was, and IoError is thrown naming the file and the reason.
    /// (No fsync: atomic against crashes of LNScope, not against power loss.)
    void write(const std::filesystem::path& path) const;

private:
    struct Section
    {
        std::string name;
        SectionType type;
        std::vector<uint8_t> bytes;
    };
    std::vector<Section> m_sections;
};

/// A validated .lnsz file held in memory (memory use = file size).
/// open() checks everything, including every payload's CRC, so a reader that exists is whole:
/// accessors never see corrupt data. Accessors are const and safe to call from several threads.
class LnszReader
{
public:
    /// Reads and validates `path`.
    /// Throws IoError if the file cannot be opened or read; UnsupportedError if it was written by
    /// a newer LNScope (format version > kLnszFormatVersion); FormatError for anything else wrong:
    /// empty, not an LNSZ file, truncated, header or payload CRC mismatch, a section outside the
    /// file, misaligned, overlapping another, or a duplicate / malformed name. Every message names
    /// the file and the reason (and the section, where there is one).
    /// Never allocates more than the file's size, whatever the header claims.
    static LnszReader open(const std::filesystem::path& path);

    const std::filesystem::path& path() const { return m_path; }
    /// Section names in file order.
    std::vector<std::string> names() const;
    bool has(std::string_view name) const;
    /// Throws FormatError naming the file and section if there is no such section.
    SectionType type(std::string_view name) const;

    /// The payload, valid as long as this reader. Throws FormatError if missing.
    std::span<const uint8_t> bytes(std::string_view name) const;
    /// Throws FormatError if missing, not Float32, or its length is not a multiple of 4.
    std::vector<float> floats(std::string_view name) const;
    /// Throws FormatError if missing, not Int64, or its length is not a multiple of 8.
    std::vector<int64_t> ints(std::string_view name) const;
    /// Throws FormatError if missing or not Json.
    std::string json(std::string_view name) const;

private:
    struct Entry
    {
        std::string name;
        SectionType type;
        uint64_t offset;
        uint64_t length;
    };
    LnszReader() = default;
    const Entry& entry(std::string_view name) const;
    const Entry& typedEntry(std::string_view name, SectionType type, size_t elementBytes) const;

    std::filesystem::path m_path;
    std::vector<uint8_t> m_data;
    std::vector<Entry> m_entries;               // file order
    std::map<std::string, size_t, std::less<>> m_index; // name -> index in m_entries
};

} // namespace lnscope::core
