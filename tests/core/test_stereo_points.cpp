// Stereo points: KITTI disparity PNGs read back exactly, disparity turned into camera-frame
// points (checked against Z = fx·B/d, X = (u − cx)·Z/fx, Y = (v − cy)·Z/fy computed here), invalid
// pixels, stride, range and colours, bad files and calibrations, and one real synthdrive frame whose
// road points must lie on the ground plane y = camera height (datasets/README.md).
// Disparity fixtures are written by a tiny PNG encoder here (stored zlib via qCompress),
// independent of the OpenCV codec the reader uses.
#include "lnscope/core/error.h"
#include "lnscope/core/seg_labels.h"
#include "lnscope/core/stereo_points.h"
#include "test_utils.h"

#include <QByteArray>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>

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

/// A PNG from raw samples (big-endian for 16-bit) with the given depth and colour type.
std::string makePng(int width, int height, int bitDepth, int colourType, const std::string& samples)
{
    const int channels = colourType == 2 ? 3 : 1;
    const size_t rowBytes = size_t(width) * channels * (bitDepth / 8);
    std::string raw;
    for (int y = 0; y < height; ++y)
        raw += '\0' + samples.substr(size_t(y) * rowBytes, rowBytes);
    const QByteArray z = qCompress(QByteArray(raw.data(), qsizetype(raw.size())));
    std::string out("\x89PNG\r\n\x1a\n", 8);
    std::string ihdr;
    appendBe32(ihdr, uint32_t(width));
    appendBe32(ihdr, uint32_t(height));
    ihdr += char(bitDepth);
    ihdr += char(colourType);
    ihdr += std::string(3, '\0');
    appendChunk(out, "IHDR", ihdr);
    appendChunk(out, "IDAT", std::string(z.constData() + 4, size_t(z.size() - 4)));
    appendChunk(out, "IEND", "");
    return out;
}

/// A 16-bit KITTI disparity PNG: value(u, v) is the disparity in pixels (stored as round(d·256)).
std::string disparityPng(int width, int height, const std::function<double(int, int)>& value)
{
    std::string samples;
    for (int v = 0; v < height; ++v) {
        for (int u = 0; u < width; ++u) {
            const long stored = std::lround(value(u, v) * 256.0);
            samples += char((stored >> 8) & 0xff);
            samples += char(stored & 0xff);
        }
    }
    return makePng(width, height, 16, 0, samples);
}

/// A synthetic rig like KITTI's: P2 = K[I|(t, 0, 0)], P3 = K[I|(t − B, 0, 0)], where t is camera 2's
/// offset from camera 0 (KITTI: about 0.06 m; the synthdrive rig: 0).
constexpr double kFx = 500.0, kFy = 480.0, kCx = 40.5, kCy = 20.25, kBaseline = 0.5;

KittiCalib makeCalib(double camera2Offset = 0.0)
{
    KittiCalib c;
    c.P2 = {kFx, 0, kCx, kFx * camera2Offset, 0, kFy, kCy, 0, 0, 0, 1, 0};
    c.P3 = c.P2;
    c.P3[3] = kFx * (camera2Offset - kBaseline);
    c.R0_rect = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    return c;
}

struct Expected
{
    double x, y, z;
};

/// The pinhole back-projection, written out independently of the code under test, in camera 0's
/// frame (camera 2 sits at x = −offset in it).
Expected backProject(int u, int v, double disparity, double camera2Offset = 0.0)
{
    const double z = kFx * kBaseline / disparity;
    return {(u - kCx) * z / kFx - camera2Offset, (v - kCy) * z / kFy, z};
}

bool near(double a, double b, double tol)
{
    return std::abs(a - b) <= tol;
}

} // namespace

class TestStereoPoints : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { m_dir = lnscope::test::makeTempDir("lnscope-stereo"); }
    void cleanupTestCase()
    {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }

    void readsDisparityExactly()
    {
        // Values at 1/256 px steps come back exactly; 0 stays 0 (invalid).
        const fs::path path = writeBytes(m_dir / "exact.png", disparityPng(5, 3, [](int u, int v) {
                                             return (u == 2 && v == 1) ? 0.0 : 0.5 + u * 10.25 + v / 256.0;
                                         }));
        const DisparityMap map = readDisparityPng(path);
        QCOMPARE(map.width, 5);
        QCOMPARE(map.height, 3);
        QCOMPARE(map.values.size(), size_t(15));
        QCOMPARE(map.at(2, 1), 0.f);
        QCOMPARE(map.at(4, 2), float(0.5 + 4 * 10.25 + 2 / 256.0));
        QCOMPARE(map.at(0, 0), 0.5f);
    }

    void frontoParallelWall_data()
    {
        QTest::addColumn<double>("disparity");
        QTest::addColumn<double>("camera2Offset");
        QTest::addRow("near wall, d = 50 px") << 50.0 << 0.0;
        QTest::addRow("far wall, d = 3.25 px") << 3.25 << 0.0;
        QTest::addRow("fractional d = 17.5 px") << 17.5 << 0.0;
        QTest::addRow("KITTI-like camera 2 offset 0.06 m") << 17.5 << 0.06;
    }

    void frontoParallelWall()
    {
        // Constant disparity: every point at depth fx·B/d, spread over the image's frustum.
        QFETCH(double, disparity);
        QFETCH(double, camera2Offset);
        constexpr int kW = 81, kH = 41;
        const fs::path path = writeBytes(m_dir / "wall.png", disparityPng(kW, kH, [&](int, int) { return disparity; }));
        const KittiCalib calib = makeCalib(camera2Offset);
        const auto points = readStereoPoints(path, calib, StereoPointOptions{1, 1000.0});
        QCOMPARE(points.size(), size_t(kW * kH));
        for (int v = 0; v < kH; ++v) {
            for (int u = 0; u < kW; ++u) {
                const StereoPoint& p = points[size_t(v * kW + u)];
                const Expected e = backProject(u, v, disparity, camera2Offset);
                QVERIFY2(near(p.z, e.z, 1e-4 * e.z) && near(p.x, e.x, 1e-4 * e.z) && near(p.y, e.y, 1e-4 * e.z),
                         qPrintable(QString("pixel (%1, %2): (%3, %4, %5), expected (%6, %7, %8)")
                                        .arg(u)
                                        .arg(v)
                                        .arg(p.x)
                                        .arg(p.y)
                                        .arg(p.z)
                                        .arg(e.x)
                                        .arg(e.y)
                                        .arg(e.z)));
                // And P2 projects the point back onto its own pixel.
                const auto uv = project(calib, p.x, p.y, p.z);
                QVERIFY(near(uv[0], u, 1e-3) && near(uv[1], v, 1e-3));
            }
        }
    }

    void flatGroundPlane()
    {
        // The road under a level camera at height H: row v below the horizon has disparity
        // fx·B·(v − cy)/(fy·H) (B·(v − cy)/H for square pixels); every valid point must then lie on y = H. Rows at or
        // above cy see no ground (sky, 0 = invalid).
        constexpr int kW = 81, kH = 41;
        constexpr double kHeight = 1.65;
        const fs::path path = writeBytes(m_dir / "ground.png", disparityPng(kW, kH, [&](int, int v) {
                                             return v > kCy ? kFx * kBaseline * (v - kCy) / (kFy * kHeight) : 0.0;
                                         }));
        const auto points = readStereoPoints(path, makeCalib(), StereoPointOptions{1, 1e4}); // row 21 is 1 km away
        const int groundRows = kH - 1 - int(std::floor(kCy));
        QCOMPARE(points.size(), size_t(groundRows * kW));
        for (const StereoPoint& p : points) {
            // Disparities are stored in 1/256 px: the relative depth error is at most 1/512 / d.
            const double d = kFx * kBaseline / p.z;
            QVERIFY2(near(p.y, kHeight, kHeight * (1.0 / 512.0) / d + 1e-5),
                     qPrintable(QString("y %1 at z %2, expected %3").arg(p.y).arg(p.z).arg(kHeight)));
        }
    }

    void skipsInvalidPixelsAndHonoursStride_data()
    {
        QTest::addColumn<int>("stride");
        QTest::addRow("stride 1") << 1;
        QTest::addRow("stride 2") << 2;
        QTest::addRow("stride 3") << 3;
        QTest::addRow("stride larger than the map") << 50;
    }

    void skipsInvalidPixelsAndHonoursStride()
    {
        // A checker of valid / invalid blocks; disparity varies per pixel so that each point
        // identifies its pixel.
        constexpr int kW = 23, kH = 11;
        auto value = [](int u, int v) { return ((u / 2 + v / 3) % 2 == 0) ? 0.0 : 4.0 + u * 0.5 + v * 0.25; };
        const fs::path path = writeBytes(m_dir / "checker.png", disparityPng(kW, kH, value));
        QFETCH(int, stride);
        const auto points = readStereoPoints(path, makeCalib(), StereoPointOptions{stride, 1000.0});
        std::vector<Expected> expected;
        for (int v = 0; v < kH; v += stride)
            for (int u = 0; u < kW; u += stride)
                if (value(u, v) > 0)
                    expected.push_back(backProject(u, v, value(u, v)));
        QCOMPARE(points.size(), expected.size());
        for (size_t i = 0; i < points.size(); ++i) {
            const Expected& e = expected[i];
            QVERIFY2(near(points[i].x, e.x, 1e-4 * e.z) && near(points[i].y, e.y, 1e-4 * e.z)
                         && near(points[i].z, e.z, 1e-4 * e.z),
                     qPrintable(QString("point %1").arg(i)));
        }
    }

    void maxRangeDropsFarPoints()
    {
        // Two halves: a wall at 10 m on the left, one at 50 m on the right.
        constexpr int kW = 20, kH = 4;
        const double near10 = kFx * kBaseline / 10.0, far50 = kFx * kBaseline / 50.0;
        const fs::path path = writeBytes(m_dir / "two_walls.png",
                                         disparityPng(kW, kH, [&](int u, int) { return u < 10 ? near10 : far50; }));
        QCOMPARE(readStereoPoints(path, makeCalib(), StereoPointOptions{1, 80.0}).size(), size_t(kW * kH));
        const auto close = readStereoPoints(path, makeCalib(), StereoPointOptions{1, 30.0});
        QCOMPARE(close.size(), size_t(10 * kH));
        for (const StereoPoint& p : close)
            QVERIFY(near(p.z, 10.0, 0.01));
    }

    void coloursComeFromTheSamePixel()
    {
        constexpr int kW = 9, kH = 5;
        const fs::path path =
            writeBytes(m_dir / "colour.png", disparityPng(kW, kH, [](int u, int) { return u == 4 ? 0.0 : 8.0; }));
        // Padded rows (bytesPerLine > 3·width), as a QImage has them.
        constexpr size_t kStride = kW * 3 + 5;
        std::vector<uint8_t> rgb(kStride * kH, 0xee);
        for (int v = 0; v < kH; ++v)
            for (int u = 0; u < kW; ++u) {
                uint8_t* px = rgb.data() + size_t(v) * kStride + size_t(u) * 3;
                px[0] = uint8_t(10 * u);
                px[1] = uint8_t(20 * v);
                px[2] = uint8_t(200 + u + v);
            }
        const RgbImageView view{rgb.data(), kW, kH, kStride};
        const auto points = readStereoPoints(path, makeCalib(), StereoPointOptions{2, 100.0}, &view);
        // Stride 2: u ∈ {0, 2, 6, 8} (4 is invalid), v ∈ {0, 2, 4}.
        QCOMPARE(points.size(), size_t(12));
        size_t i = 0;
        for (int v = 0; v < kH; v += 2)
            for (int u : {0, 2, 6, 8}) {
                const StereoPoint& p = points[i++];
                QCOMPARE(int(p.r), 10 * u);
                QCOMPARE(int(p.g), 20 * v);
                QCOMPARE(int(p.b), 200 + u + v);
            }
        // Without colours the points are neutral grey.
        const auto grey = readStereoPoints(path, makeCalib(), StereoPointOptions{2, 100.0});
        QCOMPARE(int(grey.front().r), int(grey.front().b));
    }

    void badInput_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const std::string grey8 = makePng(4, 2, 8, 0, std::string(8, '\x10'));
        const std::string rgb8 = makePng(4, 2, 8, 2, std::string(24, '\x10'));
        const std::string good = disparityPng(4, 2, [](int, int) { return 5.0; });
        QTest::addRow("8-bit grey PNG") << "grey8.png" << QByteArray::fromStdString(grey8)
                                        << ": is an 8-bit grey PNG; expected a 16-bit single-channel PNG";
        QTest::addRow("RGB PNG") << "rgb.png" << QByteArray::fromStdString(rgb8)
                                 << ": is an RGB colour PNG; expected a 16-bit";
        QTest::addRow("not a PNG") << "text.png" << QByteArray("P5\n4 2\n65535\n") << ": not a PNG file";
        QTest::addRow("truncated PNG") << "truncated.png" << QByteArray::fromStdString(good.substr(0, good.size() - 20))
                                       << ": corrupt PNG";
        QTest::addRow("empty file") << "empty.png" << QByteArray() << ": not a PNG file";
    }

    void badInput()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const fs::path path = writeBytes(m_dir / file.toStdString(), bytes.toStdString());
        const QString message = formatErrorOf([&] { readDisparityPng(path); });
        QVERIFY2(message.startsWith(QString::fromStdString(path.string()) + expected), qPrintable(message));
    }

    void missingFileIsAnIoError()
    {
        const fs::path path = m_dir / "nope.png";
        try {
            readStereoPoints(path, makeCalib(), {});
            QFAIL("no exception");
        } catch (const IoError& e) {
            QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path.string()) + ": no such file"), e.what());
        }
    }

    void mismatchedColourImageNamesTheFile()
    {
        const fs::path path = writeBytes(m_dir / "small.png", disparityPng(6, 4, [](int, int) { return 5.0; }));
        std::vector<uint8_t> rgb(6 * 3 * 3);
        const RgbImageView view{rgb.data(), 6, 3, 18};
        const QString message = formatErrorOf([&] { readStereoPoints(path, makeCalib(), {}, &view); });
        QVERIFY2(message.startsWith(QString::fromStdString(path.string())
                                    + ": colour image 6x3 does not match the disparity map 6x4"),
                 qPrintable(message));
    }

    void badCalibrationOrOptions_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("expected");
        QTest::addRow("P3 = P2: no baseline") << 0 << "no stereo baseline";
        QTest::addRow("zero focal length") << 1 << "P2 has no positive focal length";
        QTest::addRow("stride 0") << 2 << "the stride must be at least 1";
        QTest::addRow("range 0") << 3 << "the maximum range must be > 0 m";
    }

    void badCalibrationOrOptions()
    {
        QFETCH(int, which);
        QFETCH(QString, expected);
        DisparityMap map;
        map.width = 2;
        map.height = 2;
        map.values = {1, 2, 3, 4};
        KittiCalib calib = makeCalib();
        StereoPointOptions options;
        if (which == 0)
            calib.P3 = calib.P2;
        else if (which == 1)
            calib.P2[0] = 0;
        else if (which == 2)
            options.stride = 0;
        else
            options.maxRange = 0;
        const QString message = formatErrorOf([&] { disparityToPoints(map, calib, options); });
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void strideForMaxPoints_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("maxPoints");
        QTest::addRow("synthdrive 640x192, 20k") << 640 << 192 << 20000;
        QTest::addRow("KITTI 1242x375, 20k") << 1242 << 375 << 20000;
        QTest::addRow("fits at stride 1") << 100 << 100 << 10000;
        QTest::addRow("one point") << 7 << 5 << 1;
        QTest::addRow("zero budget counts as one") << 7 << 5 << 0;
        QTest::addRow("odd sizes") << 333 << 97 << 1234;
    }

    void strideForMaxPoints()
    {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, maxPoints);
        // Naive reference: the first stride whose grid fits the budget.
        auto count = [&](int s) { return int64_t((width + s - 1) / s) * ((height + s - 1) / s); };
        int reference = 1;
        while (count(reference) > std::max(1, maxPoints))
            ++reference;
        QCOMPARE(lnscope::core::strideForMaxPoints(width, height, maxPoints), reference);
    }

    void realFrameRoadLiesOnTheGround()
    {
        // synthdrive frame 0: the camera height comes from synth.json, the road pixels from the
        // semantic labels (class 0). The class id is passed as the "colour" of each point, so every
        // point carries the class of its own pixel.
        const fs::path root = lnscope::test::datasetsDir() / "synthdrive" / "val";
        QFile meta(QString::fromStdString((root / "synth.json").string()));
        QVERIFY(meta.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(meta.readAll()).object();
        const QJsonObject scene = json.value("frameScenes").toArray().at(0).toObject();
        QCOMPARE(scene.value("frame").toInt(), 0);
        const double cameraHeight = scene.value("cameraHeight").toDouble();
        QVERIFY(cameraHeight > 1.0 && cameraHeight < 2.0);

        const KittiCalib calib = readKittiCalib(root / "calib" / "000000.txt");
        const LabelMap labels = readClassIdPng(root / "semantic" / "000000.png");
        std::vector<uint8_t> classRgb(size_t(labels.width) * labels.height * 3);
        for (size_t i = 0; i < labels.ids.size(); ++i)
            classRgb[i * 3] = labels.ids[i];
        const RgbImageView classes{classRgb.data(), labels.width, labels.height, size_t(labels.width) * 3};
        const auto points =
            readStereoPoints(root / "disparity" / "000000.png", calib, StereoPointOptions{2, 60.0}, &classes);
        QVERIFY(points.size() > 1000);

        int road = 0, onGround = 0;
        for (const StereoPoint& p : points) {
            QVERIFY(p.z > 0.f && p.z <= 60.f);
            if (p.r != 0) // class 0 = road
                continue;
            ++road;
            onGround += std::abs(p.y - cameraHeight) < 0.03 ? 1 : 0;
        }
        QVERIFY2(road > 500, qPrintable(QString("only %1 road points").arg(road)));
        // Road pixels see the road (a few at label edges see a car's wheel or a curb).
        QVERIFY2(
            onGround >= 0.97 * road,
            qPrintable(
                QString("%1 of %2 road points within 3 cm of y = %3 m").arg(onGround).arg(road).arg(cameraHeight)));
    }

private:
    fs::path m_dir;
};

QTEST_GUILESS_MAIN(TestStereoPoints)
#include "test_stereo_points.moc"
