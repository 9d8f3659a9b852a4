// Tests of the .lnsz container: CRC-32, byte-exact round trips, deterministic output, atomic
// writes, and a typed error naming the file and the reason for every kind of bad file.

#include "lnscope/core/error.h"
#include "lnscope/core/lnsz_container.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

using namespace lnscope::core;
namespace fs = std::filesystem;

namespace {

enum class Outcome { Ok, Format, Unsupported, Io };

struct OpenResult
{
    Outcome outcome = Outcome::Ok;
    std::string message;
};

OpenResult tryOpen(const fs::path& path)
{
    try {
        LnszReader::open(path);
        return {};
    } catch (const UnsupportedError& e) {
        return {Outcome::Unsupported, e.what()};
    } catch (const FormatError& e) {
        return {Outcome::Format, e.what()};
    } catch (const IoError& e) {
        return {Outcome::Io, e.what()};
    }
}

std::vector<uint8_t> readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeFile(const fs::path& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Little-endian field access, written from the layout documented in lnsz_container.h (so these
// tests also check that the documentation matches the files).
uint32_t getU32(const std::vector<uint8_t>& b, size_t at)
{
    return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}
uint64_t getU64(const std::vector<uint8_t>& b, size_t at)
{
    return uint64_t(getU32(b, at)) | uint64_t(getU32(b, at + 4)) << 32;
}
void putU32(std::vector<uint8_t>& b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b[at + i] = uint8_t(v >> (8 * i));
}
void putU64(std::vector<uint8_t>& b, size_t at, uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        b[at + i] = uint8_t(v >> (8 * i));
}
size_t entryAt(size_t index)
{
    return 16 + 88 * index;
}
size_t tableEnd(const std::vector<uint8_t>& b)
{
    return entryAt(getU32(b, 8));
}
void fixHeaderCrc(std::vector<uint8_t>& b)
{
    const size_t end = tableEnd(b);
    putU32(b, end, crc32(std::span(b.data(), end)));
}

uint32_t floatBits(float f)
{
    uint32_t bits = 0;
    std::memcpy(&bits, &f, 4);
    return bits;
}

std::vector<float> seededFloats(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<float> v(n);
    for (float& x : v)
        x = lnscope::test::uniform(rng, -100.f, 100.f);
    return v;
}

// The reference file for the bad-file tests: sections 0..3 = weights, shape, graph, empty.
LnszWriter referenceWriter()
{
    LnszWriter w;
    w.addFloats("weights", seededFloats(37, 1));
    const std::vector<int64_t> shape{1, 3, 224, 224};
    w.addInts("shape", shape);
    w.addJson("graph", R"({"nodes":[{"op":"Conv","name":"conv1"}]})");
    w.addSection("empty", SectionType::Bytes, {});
    return w;
}

} // namespace

class TestLnszContainer : public QObject
{
    Q_OBJECT

private:
    fs::path m_dir;
    fs::path file(const std::string& name) const { return m_dir / name; }

private slots:
    void initTestCase() { m_dir = lnscope::test::makeTempDir("lnsz_test"); }
    void cleanupTestCase()
    {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }

    void crc32Vectors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<uint>("expected");
        QTest::addRow("check value 123456789") << QByteArray("123456789") << 0xCBF43926u;
        QTest::addRow("empty") << QByteArray() << 0x00000000u;
        QTest::addRow("single a") << QByteArray("a") << 0xE8B7BE43u;
        QTest::addRow("quick brown fox") << QByteArray("The quick brown fox jumps over the lazy dog") << 0x414FA339u;
    }
    void crc32Vectors()
    {
        QFETCH(QByteArray, input);
        QFETCH(uint, expected);
        const auto* p = reinterpret_cast<const uint8_t*>(input.constData());
        const std::span<const uint8_t> all(p, size_t(input.size()));
        QCOMPARE(crc32(all), uint32_t(expected));
        // Continuing over a split gives the same as one pass.
        const size_t half = all.size() / 2;
        QCOMPARE(crc32(all.subspan(half), crc32(all.first(half))), uint32_t(expected));
    }

    void roundTrip_data()
    {
        QTest::addColumn<int>("sectionSet");
        QTest::addRow("mixed floats ints json empty odd bytes") << 0;
        QTest::addRow("no sections") << 1;
        QTest::addRow("special floats and extreme ints") << 2;
        QTest::addRow("unicode and 63-byte names") << 3;
    }
    void roundTrip()
    {
        QFETCH(int, sectionSet);
        LnszWriter w;
        std::vector<std::string> names;
        std::vector<float> floats;
        std::vector<int64_t> ints;
        std::string json;
        std::vector<uint8_t> odd{1, 2, 3, 4, 5};
        if (sectionSet == 0) {
            floats = seededFloats(1001, 7);
            ints = {0, -1, 42, 1234567890123};
            json = R"({"model":"resnet","layers":[1,2,3]})";
            w.addFloats("weights", floats);
            w.addInts("shape", ints);
            w.addJson("graph", json);
            w.addSection("empty", SectionType::Bytes, {});
            w.addSection("odd", SectionType::Bytes, odd);
            names = {"weights", "shape", "graph", "empty", "odd"};
        } else if (sectionSet == 2) {
            floats = {0.f, -0.f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                      std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::denorm_min(),
                      std::numeric_limits<float>::max()};
            ints = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
            w.addFloats("f", floats);
            w.addInts("i", ints);
            names = {"f", "i"};
        } else if (sectionSet == 3) {
            json = "{\"label\":\"Fußgänger 歩行者\"}";
            w.addJson("métadonnées/日本", json);
            w.addSection(std::string(63, 'n'), SectionType::Bytes, odd);
            names = {"métadonnées/日本", std::string(63, 'n')};
        }
        const fs::path path = file("roundtrip.lnsz");
        w.write(path);
        QVERIFY(!fs::exists(fs::path(path.string() + ".part")));

        const LnszReader r = LnszReader::open(path);
        QCOMPARE(r.names(), names);
        if (sectionSet == 0 || sectionSet == 2) {
            const std::string fn = names[0], in = names[1];
            QCOMPARE(r.type(fn), SectionType::Float32);
            const std::vector<float> back = r.floats(fn);
            QCOMPARE(back.size(), floats.size());
            for (size_t i = 0; i < floats.size(); ++i)
                QCOMPARE(floatBits(back[i]), floatBits(floats[i])); // bit-exact, NaN and -0 included
            QCOMPARE(r.ints(in), ints);
        }
        if (sectionSet == 0) {
            QCOMPARE(r.json("graph"), json);
            QVERIFY(r.has("empty"));
            QCOMPARE(r.bytes("empty").size(), size_t(0));
            const auto b = r.bytes("odd");
            QCOMPARE(std::vector<uint8_t>(b.begin(), b.end()), odd);
        }
        if (sectionSet == 3) {
            QCOMPARE(r.json(names[0]), json);
            const auto b = r.bytes(names[1]);
            QCOMPARE(std::vector<uint8_t>(b.begin(), b.end()), odd);
        }
        QVERIFY(!r.has("missing"));
    }

    void layoutMatchesDocumentation()
    {
        const fs::path path = file("layout.lnsz");
        referenceWriter().write(path);
        const std::vector<uint8_t> b = readFile(path);
        QCOMPARE(std::string(b.begin(), b.begin() + 4), std::string("LNSZ"));
        QCOMPARE(getU32(b, 4), 1u);
        QCOMPARE(getU32(b, 8), 4u);
        QCOMPARE(getU32(b, tableEnd(b)), crc32(std::span(b.data(), tableEnd(b))));
        uint64_t previousEnd = tableEnd(b) + 4;
        for (size_t i = 0; i < 4; ++i) {
            const uint64_t offset = getU64(b, entryAt(i) + 72);
            const uint64_t length = getU64(b, entryAt(i) + 80);
            QCOMPARE(offset % 8, uint64_t(0));
            QVERIFY(offset >= previousEnd);
            QCOMPARE(getU32(b, entryAt(i) + 68), crc32(std::span(b.data() + offset, length)));
            previousEnd = offset + length;
        }
        QCOMPARE(uint64_t(b.size()), previousEnd); // the file ends right after the last payload
        QCOMPARE(std::string(reinterpret_cast<const char*>(b.data() + entryAt(0))), std::string("weights"));
        QCOMPARE(getU32(b, entryAt(2) + 64), uint32_t(SectionType::Json));
    }

    void sameInputGivesIdenticalBytes()
    {
        referenceWriter().write(file("a.lnsz"));
        referenceWriter().write(file("b.lnsz"));
        const LnszWriter w = referenceWriter();
        w.write(file("c.lnsz"));
        w.write(file("c.lnsz"));
        const auto a = readFile(file("a.lnsz"));
        QVERIFY(!a.empty());
        QVERIFY(a == readFile(file("b.lnsz")));
        QVERIFY(a == readFile(file("c.lnsz")));
    }

    void writerRejectsBadNames_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QString>("reason");
        QTest::addRow("empty") << QByteArray("") << "empty";
        QTest::addRow("64 bytes") << QByteArray(64, 'x') << "the limit is 63";
        QTest::addRow("NUL inside") << QByteArray("ab\0cd", 5) << "section 'ab\\x00cd': the name contains a NUL";
        QTest::addRow("invalid UTF-8") << QByteArray("bad\xff") << "UTF-8";
        QTest::addRow("overlong UTF-8") << QByteArray("\xc0\xaf") << "UTF-8";
        QTest::addRow("duplicate") << QByteArray("weights") << "already added";
    }
    void writerRejectsBadNames()
    {
        QFETCH(QByteArray, name);
        QFETCH(QString, reason);
        LnszWriter w = referenceWriter();
        try {
            w.addSection(name.toStdString(), SectionType::Bytes, {1});
            QFAIL("no error");
        } catch (const FormatError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(reason), e.what());
        }
        QCOMPARE(w.sectionCount(), size_t(4));
    }

    void badFiles_data()
    {
        QTest::addColumn<QString>("mutation");
        QTest::addColumn<int>("outcome");
        QTest::addColumn<QString>("reason");
        const int fmt = int(Outcome::Format);
        QTest::addRow("empty file") << "empty" << fmt << "the file is empty";
        QTest::addRow("PNG image") << "png" << fmt << "not an LNSZ file (starts with bytes 89 50 4E 47";
        QTest::addRow("ONNX model") << "onnx" << fmt << "not an LNSZ file";
        QTest::addRow("truncated in magic") << "truncate:3" << fmt << "truncated: the file is 3 bytes";
        QTest::addRow("truncated in fixed header") << "truncate:10" << fmt << "truncated: the file is 10 bytes";
        QTest::addRow("truncated in table") << "truncate:100" << fmt << "claims 4 sections";
        QTest::addRow("truncated in header CRC") << "truncate:tableEnd+2" << fmt << "claims 4 sections";
        QTest::addRow("truncated in first payload") << "truncate:firstPayload+5" << fmt
                                                     << "section 0 'weights' (offset";
        QTest::addRow("last byte missing") << "truncate:-1" << fmt << "extends past the end of the file";
        QTest::addRow("flipped payload bit") << "flipPayload" << fmt << "section 'weights': checksum mismatch";
        QTest::addRow("flipped table name bit") << "flipName" << fmt << "header checksum mismatch";
        QTest::addRow("flipped table offset bit") << "flipOffset" << fmt << "header checksum mismatch";
        QTest::addRow("flipped reserved bit") << "flipReserved" << fmt << "header checksum mismatch";
        QTest::addRow("flipped header CRC bit") << "flipHeaderCrc" << fmt << "header checksum mismatch";
        QTest::addRow("section count off by one") << "countMinusOne" << fmt << "header checksum mismatch";
        QTest::addRow("offset past end") << "offsetPastEnd" << fmt << "section 1 'shape' (offset";
        QTest::addRow("huge length (overflow)") << "hugeLength" << fmt << "extends past the end of the file";
        QTest::addRow("misaligned offset") << "misaligned" << fmt << "is not a multiple of 8";
        QTest::addRow("offset inside header") << "offsetInHeader" << fmt << "lies inside the header";
        QTest::addRow("overlapping sections") << "overlap" << fmt << "sections 'weights' and 'shape' overlap";
        QTest::addRow("duplicate names") << "duplicate" << fmt << "section 2 'weights': duplicate section name";
        QTest::addRow("name without NUL") << "nameNoNul" << fmt << "not NUL-terminated";
        QTest::addRow("name not UTF-8") << "nameBadUtf8" << fmt << "section 0 '\\xFFeights': the name is not valid UTF-8";
        QTest::addRow("empty name") << "nameEmpty" << fmt << "the name is empty";
        QTest::addRow("version 0") << "version:0" << fmt << "invalid format version 0";
        QTest::addRow("version 2") << "version:2" << int(Outcome::Unsupported)
                                   << "written by a newer LNScope: format version 2, this build reads ≤ 1";
        QTest::addRow("huge section count") << "count:4294967295" << fmt
                                            << "claims 4294967295 sections, whose table needs";
    }
    void badFiles()
    {
        QFETCH(QString, mutation);
        QFETCH(int, outcome);
        QFETCH(QString, reason);
        const fs::path good = file("reference.lnsz");
        referenceWriter().write(good);
        std::vector<uint8_t> b = readFile(good);
        QVERIFY(tryOpen(good).outcome == Outcome::Ok);
        const size_t firstPayload = getU64(b, entryAt(0) + 72);

        const std::string m = mutation.toStdString();
        const std::string arg = m.find(':') == std::string::npos ? "" : m.substr(m.find(':') + 1);
        if (m == "empty") {
            b.clear();
        } else if (m == "png") {
            b = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1};
        } else if (m == "onnx") {
            const std::string s = "\x08\x07\x12\x07pytorch\x1a\x03" "2.1:\x8a\x01\n";
            b.assign(s.begin(), s.end());
        } else if (m.starts_with("truncate:")) {
            size_t n = 0;
            if (arg == "tableEnd+2")
                n = tableEnd(b) + 2;
            else if (arg == "firstPayload+5")
                n = firstPayload + 5;
            else if (arg == "-1")
                n = b.size() - 1;
            else
                n = std::stoul(arg);
            b.resize(n);
        } else if (m == "flipPayload") {
            b[firstPayload + 9] ^= 0x10;
        } else if (m == "flipName") {
            b[entryAt(1) + 2] ^= 0x01;
        } else if (m == "flipOffset") {
            b[entryAt(2) + 72] ^= 0x08; // still aligned and in the file: only the CRC can tell
        } else if (m == "flipReserved") {
            b[12] ^= 0x80;
        } else if (m == "flipHeaderCrc") {
            b[tableEnd(b)] ^= 0x04;
        } else if (m == "countMinusOne") {
            putU32(b, 8, 3);
        } else if (m == "offsetPastEnd") {
            putU64(b, entryAt(1) + 72, (b.size() + 64) / 8 * 8);
            fixHeaderCrc(b);
        } else if (m == "hugeLength") {
            putU64(b, entryAt(1) + 80, std::numeric_limits<uint64_t>::max() - 3);
            fixHeaderCrc(b);
        } else if (m == "misaligned") {
            putU64(b, entryAt(1) + 72, getU64(b, entryAt(1) + 72) + 4);
            fixHeaderCrc(b);
        } else if (m == "offsetInHeader") {
            putU64(b, entryAt(1) + 72, 8);
            fixHeaderCrc(b);
        } else if (m == "overlap") {
            putU64(b, entryAt(1) + 72, firstPayload + 8);
            fixHeaderCrc(b);
        } else if (m == "duplicate") {
            std::memcpy(b.data() + entryAt(2), "weights\0", 8);
            fixHeaderCrc(b);
        } else if (m == "nameNoNul") {
            std::memset(b.data() + entryAt(0), 'a', 64);
            fixHeaderCrc(b);
        } else if (m == "nameBadUtf8") {
            b[entryAt(0)] = 0xFF;
            fixHeaderCrc(b);
        } else if (m == "nameEmpty") {
            b[entryAt(3)] = 0;
            fixHeaderCrc(b);
        } else if (m.starts_with("version:")) {
            putU32(b, 4, uint32_t(std::stoul(arg)));
            fixHeaderCrc(b);
        } else if (m.starts_with("count:")) {
            // The header CRC cannot be fixed (it would lie past the end): the size check comes first.
            putU32(b, 8, uint32_t(std::stoul(arg)));
        } else {
            QFAIL("unknown mutation");
        }
        const fs::path bad = file("bad.lnsz");
        writeFile(bad, b);
        const OpenResult result = tryOpen(bad);
        QVERIFY2(int(result.outcome) == outcome, result.message.c_str());
        const QString message = QString::fromStdString(result.message);
        QVERIFY2(message.contains(QString::fromStdString(bad.string())), result.message.c_str());
        QVERIFY2(message.contains(reason), result.message.c_str());
    }

    // Every proper prefix of a valid file (what an interrupted copy or write leaves) is refused.
    void everyTruncationIsRefused()
    {
        const fs::path good = file("prefix_source.lnsz");
        referenceWriter().write(good);
        const std::vector<uint8_t> b = readFile(good);
        const fs::path bad = file("prefix.lnsz");
        for (size_t n = 0; n < b.size(); ++n) {
            writeFile(bad, std::vector<uint8_t>(b.begin(), b.begin() + n));
            const OpenResult result = tryOpen(bad);
            QVERIFY2(result.outcome == Outcome::Format,
                     qPrintable(QString("prefix of %1 bytes: %2").arg(n).arg(result.message.c_str())));
        }
    }

    void accessorErrors()
    {
        const fs::path path = file("access.lnsz");
        referenceWriter().write(path);
        const LnszReader r = LnszReader::open(path);
        QVERIFY_THROWS_EXCEPTION(FormatError, r.bytes("missing"));
        try {
            r.floats("graph");
            QFAIL("no error");
        } catch (const FormatError& e) {
            const QString message = e.what();
            QVERIFY2(message.contains("section 'graph' is Json, expected Float32"), e.what());
            QVERIFY2(message.contains(QString::fromStdString(path.string())), e.what());
        }
        try {
            r.json("nope");
            QFAIL("no error");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains("no section 'nope'"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(FormatError, r.ints("weights"));
    }

    void missingFileIsIoError()
    {
        const fs::path path = file("does_not_exist.lnsz");
        const OpenResult result = tryOpen(path);
        QVERIFY2(result.outcome == Outcome::Io, result.message.c_str());
        QVERIFY2(QString::fromStdString(result.message).contains(QString::fromStdString(path.string())),
                 result.message.c_str());
        QVERIFY(tryOpen(m_dir).outcome == Outcome::Io); // a folder is not a file
    }

    void writeIntoMissingFolderFails()
    {
        const fs::path path = m_dir / "no_such_folder" / "model.lnsz";
        QVERIFY_THROWS_EXCEPTION(IoError, referenceWriter().write(path));
        try {
            referenceWriter().write(path);
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).contains(QString::fromStdString(path.string())), e.what());
        }
        QVERIFY(!fs::exists(path));
        QVERIFY(!fs::exists(fs::path(path.string() + ".part")));
    }

    // The rename fails (the target is a non-empty folder) after the .part was fully written: the
    // .part must go, and the target must stay as it was.
    void failedRenameLeavesNothing()
    {
        const fs::path target = file("occupied.lnsz");
        fs::create_directories(target / "child");
        QVERIFY_THROWS_EXCEPTION(IoError, referenceWriter().write(target));
        QVERIFY(fs::is_directory(target / "child"));
        QVERIFY(!fs::exists(fs::path(target.string() + ".part")));
    }

    void overwriteReplacesExistingFile()
    {
        const fs::path path = file("overwrite.lnsz");
        referenceWriter().write(path);
        // A stale .part from an earlier crash is replaced, not appended to.
        writeFile(fs::path(path.string() + ".part"), std::vector<uint8_t>(5000, 0xAB));
        LnszWriter w;
        w.addJson("only", "{}");
        w.write(path);
        const LnszReader r = LnszReader::open(path);
        QCOMPARE(r.names(), std::vector<std::string>{"only"});
        QCOMPARE(r.json("only"), std::string("{}"));
        QVERIFY(!fs::exists(fs::path(path.string() + ".part")));
    }
};

QTEST_GUILESS_MAIN(TestLnszContainer)
#include "test_lnsz_container.moc"
