#include "lnscope/core/lnsz_container.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace lnscope::core {

namespace {

constexpr std::array<uint8_t, 4> kMagic{'L', 'N', 'S', 'Z'};
constexpr size_t kNameField = kLnszMaxNameBytes + 1;
constexpr size_t kHeaderCrcBytes = 4;

constexpr std::array<uint32_t, 256> makeCrcTable()
{
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
        table[i] = c;
    }
    return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = makeCrcTable();

uint64_t alignUp(uint64_t value)
{
    return (value + kLnszPayloadAlignment - 1) / kLnszPayloadAlignment * kLnszPayloadAlignment;
}

// Bytes of header + table + header CRC for `count` sections; u64 so that any u32 count fits.
uint64_t headerBytes(uint64_t count)
{
    return kLnszFixedHeaderBytes + kLnszTableEntryBytes * count + kHeaderCrcBytes;
}

void putU32(uint8_t* p, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void putU64(uint8_t* p, uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t getU32(const uint8_t* p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}
uint64_t getU64(const uint8_t* p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

std::string hex32(uint32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}

bool isValidUtf8(std::string_view s)
{
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<uint8_t>(s[i]);
        size_t extra = 0;
        uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= s.size())
            return false;
        for (size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<uint8_t>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Reject overlong forms, UTF-16 surrogates and code points past U+10FFFF.
        static constexpr uint32_t kMinForLength[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < kMinForLength[extra] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        i += extra + 1;
    }
    return true;
}

// Empty string when `name` is acceptable, else the reason.
std::string nameProblem(std::string_view name)
{
    if (name.empty())
        return "the name is empty";
    if (name.size() > kLnszMaxNameBytes)
        return "the name is " + std::to_string(name.size()) + " bytes, the limit is "
            + std::to_string(kLnszMaxNameBytes);
    if (name.find('\0') != std::string_view::npos)
        return "the name contains a NUL byte";
    if (!isValidUtf8(name))
        return "the name is not valid UTF-8";
    return {};
}

// A name as it may appear in a message: control bytes (a NUL would cut what() short) and, in a
// name that is not valid UTF-8, every non-ASCII byte are shown as \xNN.
std::string displayName(std::string_view name)
{
    const bool utf8 = isValidUtf8(name);
    std::string out;
    for (char ch : name) {
        const auto c = static_cast<uint8_t>(ch);
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8)) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\x%02X", c);
            out.append(esc);
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

std::string quoted(const std::filesystem::path& path)
{
    // Appended piecewise: GCC 12 gives a false -Wrestrict for "'" + string + "'".
    std::string out = path.string();
    out.insert(out.begin(), '\'');
    out.push_back('\'');
    return out;
}

[[noreturn]] void formatError(const std::filesystem::path& path, const std::string& reason)
{
    throw FormatError("LNSZ file " + quoted(path) + ": " + reason);
}

} // namespace

std::string sectionTypeName(SectionType type)
{
    switch (type) {
    case SectionType::Bytes: return "Bytes";
    case SectionType::Float32: return "Float32";
    case SectionType::Int64: return "Int64";
    case SectionType::Json: return "Json";
    }
    return "type " + std::to_string(static_cast<uint32_t>(type));
}

uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc)
{
    uint32_t c = ~crc;
    for (uint8_t b : bytes)
        c = kCrcTable[(c ^ b) & 0xFFu] ^ (c >> 8);
    return ~c;
}

// ---------------------------------------------------------------------------------------------
// Writer

void LnszWriter::addSection(std::string name, SectionType type, std::vector<uint8_t> bytes)
{
    std::string problem = nameProblem(name);
    if (problem.empty()) {
        const bool duplicate = std::any_of(m_sections.begin(), m_sections.end(),
                                           [&](const Section& s) { return s.name == name; });
        if (duplicate)
            problem = "a section with this name was already added";
    }
    if (!problem.empty())
        throw FormatError("LNSZ section '" + displayName(name) + "': " + problem);
    m_sections.push_back({std::move(name), type, std::move(bytes)});
}

void LnszWriter::addFloats(std::string name, std::span<const float> values)
{
    std::vector<uint8_t> bytes(values.size() * 4);
    for (size_t i = 0; i < values.size(); ++i) {
        uint32_t bits = 0;
        std::memcpy(&bits, &values[i], 4);
        putU32(bytes.data() + 4 * i, bits);
    }
    addSection(std::move(name), SectionType::Float32, std::move(bytes));
}

void LnszWriter::addInts(std::string name, std::span<const int64_t> values)
{
    std::vector<uint8_t> bytes(values.size() * 8);
    for (size_t i = 0; i < values.size(); ++i)
        putU64(bytes.data() + 8 * i, static_cast<uint64_t>(values[i]));
    addSection(std::move(name), SectionType::Int64, std::move(bytes));
}

void LnszWriter::addJson(std::string name, std::string_view json)
{
    std::vector<uint8_t> bytes(json.begin(), json.end());
    addSection(std::move(name), SectionType::Json, std::move(bytes));
}

void LnszWriter::write(const std::filesystem::path& path) const
{
    // Lay out: header + table + header CRC, then each payload at the next 8-aligned offset.
    const uint64_t tableEnd = kLnszFixedHeaderBytes + kLnszTableEntryBytes * m_sections.size();
    std::vector<uint8_t> header(alignUp(headerBytes(m_sections.size())), 0);
    std::copy(kMagic.begin(), kMagic.end(), header.begin());
    putU32(header.data() + 4, kLnszFormatVersion);
    putU32(header.data() + 8, static_cast<uint32_t>(m_sections.size()));
    std::vector<uint64_t> offsets;
    uint64_t pos = header.size();
    for (size_t i = 0; i < m_sections.size(); ++i) {
        const Section& s = m_sections[i];
        uint8_t* e = header.data() + kLnszFixedHeaderBytes + kLnszTableEntryBytes * i;
        std::memcpy(e, s.name.data(), s.name.size());
        putU32(e + 64, static_cast<uint32_t>(s.type));
        putU32(e + 68, crc32(s.bytes));
        putU64(e + 72, pos);
        putU64(e + 80, s.bytes.size());
        offsets.push_back(pos);
        pos = alignUp(pos + s.bytes.size());
    }
    putU32(header.data() + tableEnd, crc32(std::span(header.data(), tableEnd)));

    std::filesystem::path part = path;
    part += ".part";
    auto fail = [&](const std::string& reason) {
        std::error_code ignored;
        std::filesystem::remove(part, ignored);
        throw IoError("cannot write LNSZ file " + quoted(path) + ": " + reason);
    };

    std::FILE* file = std::fopen(part.string().c_str(), "wb");
    if (!file)
        fail(std::string("cannot create ") + quoted(part) + ": " + std::strerror(errno));
    static constexpr uint8_t kZeros[kLnszPayloadAlignment] = {};
    bool ok = std::fwrite(header.data(), 1, header.size(), file) == header.size();
    uint64_t written = header.size();
    for (size_t i = 0; ok && i < m_sections.size(); ++i) {
        const size_t padding = offsets[i] - written;
        ok = std::fwrite(kZeros, 1, padding, file) == padding;
        const auto& bytes = m_sections[i].bytes;
        ok = ok && std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
        written = offsets[i] + bytes.size();
    }
    const int writeErrno = errno;
    // fclose flushes; a full disk may only show up here.
    const bool closed = std::fclose(file) == 0;
    if (!ok || !closed)
        fail(std::string("writing ") + quoted(part) + " failed: " + std::strerror(ok ? errno : writeErrno));

    std::error_code ec;
    std::filesystem::rename(part, path, ec);
    if (ec)
        fail("cannot rename " + quoted(part) + " to it: " + ec.message());
}

// ---------------------------------------------------------------------------------------------
// Reader

namespace {

std::vector<uint8_t> readWholeFile(const std::filesystem::path& path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw IoError("cannot open LNSZ file " + quoted(path) + ": it is a folder");
    const uint64_t size = std::filesystem::file_size(path, ec);
    if (ec)
        throw IoError("cannot open LNSZ file " + quoted(path) + ": " + ec.message());
    std::FILE* file = std::fopen(path.string().c_str(), "rb");
    if (!file)
        throw IoError("cannot open LNSZ file " + quoted(path) + ": " + std::strerror(errno));
    // The allocation is bounded by the real size of the file, never by a header field.
    std::vector<uint8_t> data(size);
    const size_t got = size ? std::fread(data.data(), 1, data.size(), file) : 0;
    const bool readError = std::ferror(file) != 0;
    std::fclose(file);
    if (readError || got != size)
        throw IoError("cannot read LNSZ file " + quoted(path) + ": read " + std::to_string(got) + " of "
                      + std::to_string(size) + " bytes");
    return data;
}

} // namespace

LnszReader LnszReader::open(const std::filesystem::path& path)
{
    LnszReader r;
    r.m_path = path;
    r.m_data = readWholeFile(path);
    const std::vector<uint8_t>& d = r.m_data;
    const uint64_t size = d.size();

    if (size == 0)
        formatError(path, "the file is empty");
    const size_t magicBytes = std::min<size_t>(size, kMagic.size());
    if (!std::equal(d.begin(), d.begin() + magicBytes, kMagic.begin())) {
        std::string found;
        for (size_t i = 0; i < magicBytes; ++i) {
            char byte[4];
            std::snprintf(byte, sizeof byte, "%02X", d[i]);
            if (i)
                found.push_back(' ');
            found.append(byte);
        }
        formatError(path, "not an LNSZ file (starts with bytes " + found + ", expected 'LNSZ')");
    }
    if (size < kLnszFixedHeaderBytes)
        formatError(path, "truncated: the file is " + std::to_string(size) + " bytes, shorter than the "
                              + std::to_string(kLnszFixedHeaderBytes) + "-byte fixed header");

    // Version first: a newer version may lay out everything after it differently.
    const uint32_t version = getU32(d.data() + 4);
    if (version == 0)
        formatError(path, "invalid format version 0");
    if (version > kLnszFormatVersion)
        throw UnsupportedError("LNSZ file " + quoted(path) + ": written by a newer LNScope: format version "
                               + std::to_string(version) + ", this build reads ≤ "
                               + std::to_string(kLnszFormatVersion));

    // Check the claimed table against the file size before allocating anything from it.
    const uint32_t count = getU32(d.data() + 8);
    const uint64_t tableEnd = kLnszFixedHeaderBytes + kLnszTableEntryBytes * uint64_t(count);
    if (headerBytes(count) > size)
        formatError(path, "truncated or corrupt header: it claims " + std::to_string(count) + " sections, whose table needs "
                              + std::to_string(headerBytes(count)) + " bytes, but the file is " + std::to_string(size)
                              + " bytes");
    const uint32_t storedHeaderCrc = getU32(d.data() + tableEnd);
    const uint32_t headerCrc = crc32(std::span(d.data(), tableEnd));
    if (storedHeaderCrc != headerCrc)
        formatError(path, "header checksum mismatch (stored " + hex32(storedHeaderCrc) + ", computed " + hex32(headerCrc)
                              + "): the header is corrupt");

    r.m_entries.reserve(count);
    std::vector<uint32_t> crcs;
    crcs.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
        const uint8_t* e = d.data() + kLnszFixedHeaderBytes + kLnszTableEntryBytes * i;
        const auto* nameChars = reinterpret_cast<const char*>(e);
        const std::string name(nameChars, strnlen(nameChars, kNameField));
        const std::string where = "section " + std::to_string(i) + " '" + displayName(name) + "'";
        if (name.size() == kNameField)
            formatError(path, "section " + std::to_string(i) + ": the name is not NUL-terminated within "
                                  + std::to_string(kNameField) + " bytes");
        if (std::string problem = nameProblem(name); !problem.empty())
            formatError(path, where + ": " + problem);
        Entry entry{name, static_cast<SectionType>(getU32(e + 64)), getU64(e + 72), getU64(e + 80)};
        if (entry.offset % kLnszPayloadAlignment != 0)
            formatError(path, where + ": offset " + std::to_string(entry.offset) + " is not a multiple of "
                                  + std::to_string(kLnszPayloadAlignment));
        if (entry.offset < headerBytes(count))
            formatError(path, where + ": offset " + std::to_string(entry.offset) + " lies inside the header");
        // Written as two comparisons so that a huge length cannot overflow offset + length.
        if (entry.offset > size || entry.length > size - entry.offset)
            formatError(path, where + " (offset " + std::to_string(entry.offset) + ", " + std::to_string(entry.length)
                                  + " bytes) extends past the end of the file (" + std::to_string(size)
                                  + " bytes): truncated or corrupt");
        if (!r.m_index.emplace(name, i).second)
            formatError(path, where + ": duplicate section name");
        r.m_entries.push_back(std::move(entry));
        crcs.push_back(getU32(e + 68));
    }

    // Overlaps: sorted by offset, each payload must end before the next begins.
    std::vector<size_t> order(count);
    for (size_t i = 0; i < count; ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const Entry& x = r.m_entries[a];
        const Entry& y = r.m_entries[b];
        return x.offset != y.offset ? x.offset < y.offset : x.length < y.length;
    });
    for (size_t k = 1; k < order.size(); ++k) {
        const Entry& prev = r.m_entries[order[k - 1]];
        const Entry& next = r.m_entries[order[k]];
        if (prev.offset + prev.length > next.offset)
            formatError(path, "sections '" + prev.name + "' and '" + next.name + "' overlap");
    }

    // Eager payload check: a reader that opened holds no corrupt data.
    for (size_t i = 0; i < count; ++i) {
        const Entry& entry = r.m_entries[i];
        const uint32_t crc = crc32(std::span(d.data() + entry.offset, entry.length));
        if (crc != crcs[i])
            formatError(path, "section '" + entry.name + "': checksum mismatch (stored " + hex32(crcs[i])
                                  + ", computed " + hex32(crc) + "): the payload is corrupt");
    }
    return r;
}

std::vector<std::string> LnszReader::names() const
{
    std::vector<std::string> out;
    out.reserve(m_entries.size());
    for (const Entry& e : m_entries)
        out.push_back(e.name);
    return out;
}

bool LnszReader::has(std::string_view name) const
{
    return m_index.find(name) != m_index.end();
}

const LnszReader::Entry& LnszReader::entry(std::string_view name) const
{
    const auto it = m_index.find(name);
    if (it == m_index.end())
        formatError(m_path, "no section '" + std::string(name) + "'");
    return m_entries[it->second];
}

const LnszReader::Entry& LnszReader::typedEntry(std::string_view name, SectionType type, size_t elementBytes) const
{
    const Entry& e = entry(name);
    if (e.type != type)
        formatError(m_path, "section '" + e.name + "' is " + sectionTypeName(e.type) + ", expected "
                                + sectionTypeName(type));
    if (e.length % elementBytes != 0)
        formatError(m_path, "section '" + e.name + "' is " + std::to_string(e.length) + " bytes, not a multiple of "
                                + std::to_string(elementBytes));
    return e;
}

SectionType LnszReader::type(std::string_view name) const
{
    return entry(name).type;
}

std::span<const uint8_t> LnszReader::bytes(std::string_view name) const
{
    const Entry& e = entry(name);
    return std::span(m_data.data() + e.offset, e.length);
}

std::vector<float> LnszReader::floats(std::string_view name) const
{
    const Entry& e = typedEntry(name, SectionType::Float32, 4);
    std::vector<float> out(e.length / 4);
    for (size_t i = 0; i < out.size(); ++i) {
        const uint32_t bits = getU32(m_data.data() + e.offset + 4 * i);
        std::memcpy(&out[i], &bits, 4);
    }
    return out;
}

std::vector<int64_t> LnszReader::ints(std::string_view name) const
{
    const Entry& e = typedEntry(name, SectionType::Int64, 8);
    std::vector<int64_t> out(e.length / 8);
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<int64_t>(getU64(m_data.data() + e.offset + 8 * i));
    return out;
}

std::string LnszReader::json(std::string_view name) const
{
    const Entry& e = typedEntry(name, SectionType::Json, 1);
    return std::string(reinterpret_cast<const char*>(m_data.data() + e.offset), e.length);
}

} // namespace lnscope::core
