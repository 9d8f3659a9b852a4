// Segmentation label readers: class list JSON, class-id PNGs, Cityscapes and A2D2 labels.
// PNG fixtures are written by a tiny encoder here (stored zlib via qCompress), independent of
// the OpenCV codec the readers use, so colour and 16-bit files can be made on purpose.
#include "lnscope/core/error.h"
#include "lnscope/core/seg_labels.h"
#include "test_utils.h"

#include <QByteArray>
#include <QTest>

using namespace lnscope::core;
namespace fs = std::filesystem;

namespace {

using lnscope::test::formatErrorOf;
using lnscope::test::writeBytes;

uint32_t crc32(const std::string& data)
{
    uint32_t crc = 0xffffffffu;
    for (unsigned char c : data) {
        crc ^= c;
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void appendBe32(std::string& out, uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out += char((v >> shift) & 0xff);
}

void appendChunk(std::string& out, const char* type, const std::string& data)
{
    appendBe32(out, uint32_t(data.size()));
    const std::string body = std::string(type, 4) + data;
    out += body;
    appendBe32(out, crc32(body));
}

/// A PNG of `rows` (each row's raw samples, big-endian for 16-bit) with the given depth and
/// PNG colour type (0 grey, 2 RGB).
std::string makePng(int width, int height, int bitDepth, int colourType, const std::string& samples)
{
    const int channels = colourType == 2 ? 3 : 1;
    const size_t rowBytes = size_t(width) * channels * (bitDepth / 8);
    std::string raw;
    for (int y = 0; y < height; ++y)
        raw += '\0' + samples.substr(size_t(y) * rowBytes, rowBytes); // filter type 0 per row
    const QByteArray z = qCompress(QByteArray(raw.data(), qsizetype(raw.size())));
    std::string out("\x89PNG\r\n\x1a\n", 8);
    std::string ihdr;
    appendBe32(ihdr, uint32_t(width));
    appendBe32(ihdr, uint32_t(height));
    ihdr += char(bitDepth);
    ihdr += char(colourType);
    ihdr += std::string(3, '\0'); // deflate, adaptive filtering, no interlace
    appendChunk(out, "IHDR", ihdr);
    appendChunk(out, "IDAT", std::string(z.constData() + 4, size_t(z.size() - 4))); // qCompress prefixes the length
    appendChunk(out, "IEND", "");
    return out;
}

std::string bytesOf(std::initializer_list<int> values)
{
    std::string s;
    for (int v : values)
        s += char(v);
    return s;
}


} // namespace

class TestSegLabels : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { m_dir = lnscope::test::makeTempDir("lnscope-seg"); }
    void cleanupTestCase()
    {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }

    void classListValid()
    {
        const auto classes = readClassList(lnscope::test::sourceDir() / "resources/palettes/classes.json");
        QVERIFY(classes.size() >= 10);
        QCOMPARE(classes[0].id, 0);
        QCOMPARE(classes[0].name, std::string("road"));
        QCOMPARE(classes[0].color, (std::array<uint8_t, 3>{128, 64, 128}));

        const fs::path path = writeBytes(m_dir / "escaped.json",
                                         "\xEF\xBB\xBF[ {\"name\": \"caf\\u00e9 \\\"x\\\"\", \"color\": [0, 0, 255], \"id\": 254} ]\n");
        const auto escaped = readClassList(path);
        QCOMPARE(escaped.size(), size_t(1));
        QCOMPARE(escaped[0].id, 254);
        QCOMPARE(escaped[0].name, std::string("caf\xC3\xA9 \"x\""));
    }

    void classListMalformed_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("expected");
        const QString road = "{\"id\": 0, \"name\": \"road\", \"color\": [128, 64, 128]}";
        QTest::addRow("duplicate id") << "[" + road + ",\n" + "{\"id\": 0, \"name\": \"car\", \"color\": [0, 0, 142]}]"
                                      << ": entry 1 (line 2): duplicate id 0 (also entry 0)";
        QTest::addRow("missing name") << "[" + road + ",\n" + "{\"id\": 1, \"color\": [0, 0, 142]}]"
                                      << ": entry 1 (line 2): missing field \"name\"";
        QTest::addRow("colour 300") << "[\n" + QString("{\"id\": 1, \"name\": \"car\", \"color\": [0, 300, 142]}") + "]"
                                    << ": entry 0 (line 2): color component 300 is outside 0..255";
        QTest::addRow("two colour components") << "[{\"id\": 1, \"name\": \"car\", \"color\": [0, 142]}]"
                                               << ": entry 0 (line 1): color must be an array of 3";
        QTest::addRow("fractional id") << "[{\"id\": 1.5, \"name\": \"car\", \"color\": [0, 0, 142]}]"
                                       << ": entry 0 (line 1): id must be an integer, found 1.5";
        QTest::addRow("id 255 is ignore") << "[{\"id\": 255, \"name\": \"car\", \"color\": [0, 0, 142]}]"
                                          << ": entry 0 (line 1): id 255 is outside 0..254";
        QTest::addRow("unknown field") << "[{\"id\": 1, \"name\": \"car\", \"colour\": [0, 0, 142]}]"
                                       << ": entry 0 (line 1): unknown field \"colour\"";
        QTest::addRow("not an array") << "{\"id\": 1}" << ": expected a JSON array of classes, found an object";
        QTest::addRow("trailing comma") << "[" + road + ",\n]" << ":2: JSON: unexpected character ']'";
        QTest::addRow("unterminated") << "[" + road << ":1: JSON: expected ',' or ']' in the array";
        QTest::addRow("duplicate key") << "[{\"id\": 1,\n \"id\": 2}]" << ":2: JSON: duplicate key \"id\"";
        QTest::addRow("empty") << "" << ":1: JSON: the file is empty";
    }

    void classListMalformed()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        const fs::path path = writeBytes(m_dir / "classes.json", json.toStdString());
        const QString message = formatErrorOf([&] { readClassList(path); });
        QVERIFY2(message.startsWith(QString::fromStdString(path.string()) + expected), qPrintable(message));
    }

    void classIdPngValid()
    {
        const fs::path path = writeBytes(m_dir / "ids.png", makePng(3, 2, 8, 0, bytesOf({0, 1, 2, 3, 254, 255})));
        const LabelMap map = readClassIdPng(path);
        QCOMPARE(map.width, 3);
        QCOMPARE(map.height, 2);
        QCOMPARE(map.ids, (std::vector<uint8_t>{0, 1, 2, 3, 254, 255}));

        // Our writer round-trips (atomically).
        LabelMap big;
        big.width = 37;
        big.height = 11;
        std::mt19937 rng(7);
        for (int i = 0; i < big.width * big.height; ++i)
            big.ids.push_back(uint8_t(rng() & 0xff));
        const fs::path written = m_dir / "written.png";
        writeClassIdPng(written, big);
        QVERIFY(!fs::exists(written.string() + ".part"));
        const LabelMap back = readClassIdPng(written);
        QCOMPARE(back.width, big.width);
        QCOMPARE(back.height, big.height);
        QVERIFY(back.ids == big.ids);
    }

    void classIdPngRefused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const std::string grey = makePng(2, 2, 8, 0, bytesOf({1, 2, 3, 4}));
        const std::string colour = makePng(2, 1, 8, 2, bytesOf({1, 2, 3, 4, 5, 6}));
        const std::string deep = makePng(2, 1, 16, 0, bytesOf({0, 1, 0, 2}));
        const auto qb = [](const std::string& s) { return QByteArray(s.data(), qsizetype(s.size())); };
        QTest::addRow("colour PNG") << qb(colour) << ": is a RGB colour PNG; expected an 8-bit single-channel PNG";
        QTest::addRow("16-bit PNG") << qb(deep) << ": is a 16-bit PNG; expected an 8-bit single-channel PNG";
        QTest::addRow("not a PNG") << QByteArray("P5\n2 2\n255\n\1\2\3\4") << ": not a PNG file";
        QTest::addRow("truncated") << qb(grey.substr(0, 45)) << ": corrupt PNG";
        std::string flipped = grey;
        flipped[45] = char(flipped[45] ^ 0x5a); // inside IDAT: the chunk CRC no longer matches
        QTest::addRow("corrupt IDAT") << qb(flipped) << ": corrupt PNG";
        QTest::addRow("header only") << qb(grey.substr(0, 20)) << ": corrupt PNG (no IHDR header)";
    }

    void classIdPngRefused()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const fs::path path = writeBytes(m_dir / "bad.png", bytes.toStdString());
        const QString message = formatErrorOf([&] { readClassIdPng(path); });
        QVERIFY2(message.startsWith(QString::fromStdString(path.string()) + expected), qPrintable(message));
    }

    void missingFile()
    {
        QVERIFY_THROWS_EXCEPTION(IoError, readClassIdPng(m_dir / "nope.png"));
        QVERIFY_THROWS_EXCEPTION(IoError, readClassList(m_dir / "nope.json"));
        QVERIFY_THROWS_EXCEPTION(IoError, readA2d2ClassList(m_dir / "nope.json"));
        QVERIFY_THROWS_EXCEPTION(IoError, readCityscapesLabelIds(m_dir / "nope.png"));
    }

    void cityscapes()
    {
        const fs::path path = writeBytes(m_dir / "x_labelIds.png", makePng(2, 2, 8, 0, bytesOf({7, 26, 0, 33})));
        const LabelMap map = readCityscapesLabelIds(path);
        QCOMPARE(map.ids, (std::vector<uint8_t>{0, 13, 255, 18}));

        // The whole table against the training classes: 19 ids map to 0..18 exactly once.
        std::vector<int> hits(19, 0);
        for (int id = 0; id <= 33; ++id)
            if (cityscapesTrainId(id) != kIgnoreLabel)
                ++hits.at(cityscapesTrainId(id));
        QCOMPARE(hits, std::vector<int>(19, 1));
        QCOMPARE(cityscapesTrainClasses().size(), size_t(19));
        QCOMPARE(cityscapesTrainId(-1), kIgnoreLabel); // license plate

        const fs::path bad = writeBytes(m_dir / "bad_labelIds.png", makePng(2, 2, 8, 0, bytesOf({7, 26, 0, 40})));
        const QString message = formatErrorOf([&] { readCityscapesLabelIds(bad); });
        QVERIFY2(message.contains("pixel (1, 1) has labelId 40"), qPrintable(message));

        const fs::path train = writeBytes(m_dir / "x_labelTrainIds.png", makePng(2, 1, 8, 0, bytesOf({18, 255})));
        QCOMPARE(readCityscapesTrainIds(train).ids, (std::vector<uint8_t>{18, 255}));
        const fs::path badTrain = writeBytes(m_dir / "y_labelTrainIds.png", makePng(2, 1, 8, 0, bytesOf({19, 255})));
        QVERIFY(formatErrorOf([&] { readCityscapesTrainIds(badTrain); }).contains("has trainId 19"));
    }

    void a2d2()
    {
        const fs::path list = writeBytes(m_dir / "class_list.json",
                                         "{\"#ff0000\": \"Car 1\", \"#00FF00\": \"Road\", \"#0000ff\": \"Sky\"}");
        const auto classes = readA2d2ClassList(list);
        QCOMPARE(classes.size(), size_t(3));
        QCOMPARE(classes[1].id, 1);
        QCOMPARE(classes[1].name, std::string("Road"));
        QCOMPARE(classes[1].color, (std::array<uint8_t, 3>{0, 255, 0}));

        // 3x2 RGB: red, green, unmatched grey, blue, grey again, unmatched white.
        const std::string rgb = bytesOf({255, 0, 0, 0, 255, 0, 9, 9, 9, 0, 0, 255, 9, 9, 9, 255, 255, 255});
        const fs::path label = writeBytes(m_dir / "label.png", makePng(3, 2, 8, 2, rgb));
        const A2d2Label result = readA2d2Label(label, classes);
        QCOMPARE(result.labels.width, 3);
        QCOMPARE(result.labels.ids, (std::vector<uint8_t>{0, 1, 255, 2, 255, 255}));
        QCOMPARE(result.unmatchedPixels, int64_t(3));
        QCOMPARE(result.unmatchedColourCount, int64_t(2));
        QCOMPARE(result.unmatchedColours.size(), size_t(2));
        QCOMPARE(result.unmatchedColours[0], (std::array<uint8_t, 3>{9, 9, 9}));
        QCOMPARE(result.unmatchedColours[1], (std::array<uint8_t, 3>{255, 255, 255}));

        // A grey image is not an A2D2 label.
        const fs::path grey = writeBytes(m_dir / "grey.png", makePng(1, 1, 8, 0, bytesOf({1})));
        QVERIFY(formatErrorOf([&] { readA2d2Label(grey, classes); }).contains("is a grey PNG; expected an 8-bit RGB PNG"));
    }

    void a2d2ClassListMalformed_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("expected");
        QTest::addRow("bad hex") << "{\"#ff00zz\": \"Car 1\"}" << ": entry 0 (line 1): colour \"#ff00zz\" is not of the form #rrggbb";
        QTest::addRow("short hex") << "{\"#ff000\": \"Car 1\"}" << ": entry 0 (line 1): colour \"#ff000\"";
        QTest::addRow("duplicate colour") << "{\"#ff0000\": \"Car 1\",\n\"#FF0000\": \"Car 2\"}"
                                          << ": entry 1 (line 2): colour #FF0000 repeats entry 0";
        QTest::addRow("name not a string") << "{\"#ff0000\": 3}" << ": entry 0 (line 1): the class name for #ff0000";
        QTest::addRow("array") << "[\"#ff0000\"]" << ": expected a JSON object";
    }

    void a2d2ClassListMalformed()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        const fs::path path = writeBytes(m_dir / "class_list_bad.json", json.toStdString());
        const QString message = formatErrorOf([&] { readA2d2ClassList(path); });
        QVERIFY2(message.startsWith(QString::fromStdString(path.string()) + expected), qPrintable(message));
    }

private:
    fs::path m_dir;
};

QTEST_GUILESS_MAIN(TestSegLabels)
#include "test_seg_labels.moc"
