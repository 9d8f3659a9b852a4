// KITTI label, result and calibration files: strict reading (every malformed case names
// "file:line" and the field), atomic result writing, and the box/projection geometry.
#include "lnscope/core/error.h"
#include "lnscope/core/kitti_io.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <fstream>
#include <limits>
#include <numbers>

using namespace lnscope::core;
namespace fs = std::filesystem;

namespace {

const char* const kCarLine = "Car 0.00 0 -1.57 100.00 120.00 200.00 220.00 1.50 1.60 3.90 1.00 1.70 10.00 -1.57";
const char* const kDontCareLine = "DontCare -1 -1 -10 503.89 169.71 590.61 190.13 -1 -1 -1 -1000 -1000 -1000 -10";

using lnscope::test::formatErrorOf;
using lnscope::test::writeText;

} // namespace

class TestKittiIo : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { m_dir = lnscope::test::makeTempDir("lnscope-kitti"); }
    void cleanupTestCase()
    {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }

    void readValid()
    {
        const std::string text = std::string(kCarLine) + "\n\n" + kDontCareLine + "\r\n"
                                 + "Pedestrian 0.50 2 0.20 10 20 30 40 1.70 0.60 0.80 -2.00 1.60 15.00 3.14 0.8765\n";
        const auto objects = readKittiLabels(writeText(m_dir, "valid.txt", text));
        QCOMPARE(objects.size(), size_t(3));
        const KittiObject& car = objects[0];
        QCOMPARE(car.type, std::string("Car"));
        QCOMPARE(car.occluded, 0);
        QCOMPARE(car.bbox[2], 200.f);
        QCOMPARE(car.h, 1.5f);
        QCOMPARE(car.w, 1.6f);
        QCOMPARE(car.l, 3.9f);
        QCOMPARE(car.z, 10.f);
        QCOMPARE(car.rotationY, -1.57f);
        QVERIFY(!car.score);
        QCOMPARE(objects[1].type, std::string("DontCare"));
        QCOMPARE(objects[1].occluded, -1);
        QCOMPARE(objects[2].occluded, 2);
        QCOMPARE(objects[2].truncated, 0.5f);
        QVERIFY(objects[2].score.has_value());
        QCOMPARE(*objects[2].score, 0.8765f);
    }

    void readEmptyFile()
    {
        QVERIFY(readKittiLabels(writeText(m_dir, "empty.txt", "")).empty());
        QVERIFY(readKittiLabels(writeText(m_dir, "blank.txt", "\n  \n")).empty());
    }

    void readMalformed_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("reason");
        QTest::addRow("too few fields") << "Car 0.00 0 -1.57 100 120 200 220 1.5 1.6 3.9 1 1.7 10" << "line" << "found 14";
        QTest::addRow("too many fields") << QString(kCarLine) + " 0.5 0.7" << "line" << "found 17";
        QTest::addRow("non-number") << "Car 0.00 0 -1.57 100 120 200 220 abc 1.6 3.9 1 1.7 10 0" << "height" << "not a number";
        QTest::addRow("trailing junk") << "Car 0.00 0 -1.57 100 120 200 220 1.5x 1.6 3.9 1 1.7 10 0" << "height" << "trailing";
        QTest::addRow("NaN") << "Car 0.00 0 -1.57 100 120 200 220 1.5 1.6 3.9 nan 1.7 10 0" << "location x" << "finite";
        QTest::addRow("inf") << "Car 0.00 0 -1.57 100 120 200 220 1.5 1.6 3.9 1 inf 10 0" << "location y" << "finite";
        QTest::addRow("occluded 5") << "Car 0.00 5 -1.57 100 120 200 220 1.5 1.6 3.9 1 1.7 10 0" << "occluded" << "not one of";
        QTest::addRow("occluded not integer") << "Car 0.00 1.0 -1.57 100 120 200 220 1.5 1.6 3.9 1 1.7 10 0" << "occluded" << "trailing";
        QTest::addRow("truncated 1.5") << "Car 1.5 0 -1.57 100 120 200 220 1.5 1.6 3.9 1 1.7 10 0" << "truncated" << "outside [0, 1]";
        QTest::addRow("negative dim") << "Car 0.00 0 -1.57 100 120 200 220 1.5 -1.6 3.9 1 1.7 10 0" << "width" << "negative";
        QTest::addRow("x1 > x2") << "Car 0.00 0 -1.57 300 120 200 220 1.5 1.6 3.9 1 1.7 10 0" << "bbox x1" << "greater than x2";
        QTest::addRow("y1 > y2") << "Car 0.00 0 -1.57 100 320 200 220 1.5 1.6 3.9 1 1.7 10 0" << "bbox y1" << "greater than y2";
        QTest::addRow("rotation 4.0") << "Car 0.00 0 -1.57 100 120 200 220 1.5 1.6 3.9 1 1.7 10 4.0" << "rotation_y" << "outside [-pi, pi]";
        QTest::addRow("bad score") << QString(kCarLine) + " high" << "score" << "not a number";
        QTest::addRow("DontCare bad box") << "DontCare -1 -1 -10 600 169 590 190 -1 -1 -1 -1000 -1000 -1000 -10" << "bbox x1" << "greater";
    }

    void readMalformed()
    {
        QFETCH(QString, line);
        QFETCH(QString, field);
        QFETCH(QString, reason);
        // The bad line is line 3, after a good line and an empty one.
        const fs::path path = writeText(m_dir, "bad.txt", std::string(kCarLine) + "\n\n" + line.toStdString() + "\n");
        const QString message = formatErrorOf([&] { readKittiLabels(path); });
        QVERIFY2(message.contains(QString::fromStdString(path.string()) + ":3: " + field + ":"), qPrintable(message));
        QVERIFY2(message.contains(reason), qPrintable(message));
    }

    void missingFile()
    {
        QVERIFY_THROWS_EXCEPTION(IoError, readKittiLabels(m_dir / "nope.txt"));
        QVERIFY_THROWS_EXCEPTION(IoError, readKittiCalib(m_dir / "nope.txt"));
        QVERIFY_THROWS_EXCEPTION(IoError, readKittiLabels(m_dir)); // a folder is not a file
    }

    void calibByKey()
    {
        // Shuffled order, an unknown key, an empty line, and the R_rect alias.
        std::string text;
        text += "Tr_imu_to_velo: 1 0 0 0.1 0 1 0 0.2 0 0 1 0.3\n";
        text += "P3: 7 0 6 -3 0 7 1 0 0 0 1 0\n";
        text += "calib_time: 09-Jan-2012 13:57:47\n\n";
        text += "R_rect: 1 0 0 0 1 0 0 0 1\n";
        text += "P2: 7.215377e+02 0 6.095593e+02 4.485728e+01 0 7.215377e+02 1.728540e+02 2.163791e-01 0 0 1 2.745884e-03\n";
        text += "Tr_velo_to_cam: 0 -1 0 0 0 0 -1 0 1 0 0 -0.27\n";
        text += "P0: 1 2 3 4 5 6 7 8 9 10 11 12\n";
        const KittiCalib calib = readKittiCalib(writeText(m_dir, "calib.txt", text));
        QCOMPARE(calib.P2[0], 721.5377);
        QCOMPARE(calib.P2[3], 44.85728);
        QCOMPARE(calib.P2[11], 2.745884e-03);
        QCOMPARE(calib.P3[3], -3.0);
        QCOMPARE(calib.P0[11], 12.0);
        QCOMPARE(calib.R0_rect[4], 1.0);
        QCOMPARE(calib.Tr_velo_to_cam[11], -0.27);
        QCOMPARE(calib.Tr_imu_to_velo[7], 0.2);
        QCOMPARE(calib.P1[0], 0.0); // absent: left zero
    }

    void calibMalformed_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        const QString p2 = "P2: 1 0 0 0 0 1 0 0 0 0 1 0\n";
        const QString r0 = "R0_rect: 1 0 0 0 1 0 0 0 1\n";
        QTest::addRow("missing P2") << r0 << ": missing required key P2";
        QTest::addRow("missing R0_rect") << p2 << ": missing required key R0_rect";
        QTest::addRow("short P2 line") << r0 + "P2: 1 0 0 0 0 1 0 0 0 0 1\n" << ":2: P2: expected 12 values, found 11";
        QTest::addRow("long R0_rect") << "R0_rect: 1 0 0 0 1 0 0 0 1 0\n" + p2 << ":1: R0_rect: expected 9 values, found 10";
        QTest::addRow("bad number") << r0 + "P2: 1 0 0 0 0 1 0 0 0 0 1 zero\n" << ":2: P2: \"zero\" is not a number";
        QTest::addRow("repeated key") << r0 + p2 + "R_rect: 1 0 0 0 1 0 0 0 1\n" << ":3: R_rect: repeats R0_rect from line 1";
        QTest::addRow("no colon") << r0 + p2 + "P0 1 2 3\n" << ":3: P0: expected \"key: values\"";
    }

    void calibMalformed()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const fs::path path = writeText(m_dir, "bad_calib.txt", text.toStdString());
        const QString message = formatErrorOf([&] { readKittiCalib(path); });
        QVERIFY2(message.startsWith(QString::fromStdString(path.string()) + expected), qPrintable(message));
    }

    void resultsRoundTrip()
    {
        std::mt19937 rng(1234);
        std::vector<KittiObject> objects;
        for (int i = 0; i < 20; ++i) {
            KittiObject o;
            o.type = i % 3 == 0 ? "Car" : (i % 3 == 1 ? "Pedestrian" : "Cyclist");
            o.truncated = lnscope::test::uniform(rng, 0.f, 1.f);
            o.occluded = int(lnscope::test::uniformInt(rng, 0, 3));
            o.alpha = lnscope::test::uniform(rng, -3.f, 3.f);
            o.bbox[0] = lnscope::test::uniform(rng, 0.f, 600.f);
            o.bbox[1] = lnscope::test::uniform(rng, 0.f, 300.f);
            o.bbox[2] = o.bbox[0] + lnscope::test::uniform(rng, 0.f, 100.f);
            o.bbox[3] = o.bbox[1] + lnscope::test::uniform(rng, 0.f, 100.f);
            o.h = lnscope::test::uniform(rng, 0.5f, 3.f);
            o.w = lnscope::test::uniform(rng, 0.5f, 3.f);
            o.l = lnscope::test::uniform(rng, 0.5f, 6.f);
            o.x = lnscope::test::uniform(rng, -20.f, 20.f);
            o.y = lnscope::test::uniform(rng, 0.f, 3.f);
            o.z = lnscope::test::uniform(rng, 2.f, 70.f);
            o.rotationY = lnscope::test::uniform(rng, -3.14f, 3.14f);
            o.score = lnscope::test::uniform(rng, 0.f, 1.f);
            objects.push_back(o);
        }
        objects[0].rotationY = float(std::numbers::pi); // rounds to 3.14 on the edge of the range
        const fs::path path = m_dir / "results.txt";
        writeText(m_dir, "results.txt", "old content\n"); // overwritten, not appended
        writeKittiResults(path, objects);
        QVERIFY(!fs::exists(path.string() + ".part"));

        const auto back = readKittiLabels(path);
        QCOMPARE(back.size(), objects.size());
        for (size_t i = 0; i < objects.size(); ++i) {
            const KittiObject& a = objects[i];
            const KittiObject& b = back[i];
            QCOMPARE(b.type, a.type);
            QCOMPARE(b.occluded, a.occluded);
            const float pairs[][2] = {{a.truncated, b.truncated}, {a.alpha, b.alpha}, {a.bbox[0], b.bbox[0]},
                                      {a.bbox[1], b.bbox[1]},     {a.bbox[2], b.bbox[2]}, {a.bbox[3], b.bbox[3]},
                                      {a.h, b.h}, {a.w, b.w},     {a.l, b.l}, {a.x, b.x}, {a.y, b.y}, {a.z, b.z},
                                      {a.rotationY, b.rotationY}};
            for (const auto& p : pairs)
                QVERIFY2(std::fabs(p[0] - p[1]) <= 0.0051f, qPrintable(QString("object %1: %2 vs %3").arg(i).arg(p[0]).arg(p[1])));
            QVERIFY(b.score.has_value());
            QVERIFY(std::fabs(*a.score - *b.score) <= 0.000051f);
        }

        // The exact text of one line: %.2f fields, %d occluded, %.4f score.
        KittiObject o;
        o.type = "Car";
        o.truncated = 0.125f;
        o.occluded = 1;
        o.alpha = -1.5f;
        o.bbox[0] = 10.f; o.bbox[1] = 20.f; o.bbox[2] = 30.5f; o.bbox[3] = 40.25f;
        o.h = 1.5f; o.w = 1.6f; o.l = 3.9f; o.x = -1.f; o.y = 1.7f; o.z = 12.f; o.rotationY = 0.f;
        o.score = 0.98766f; // float 0.98765 is 0.987649..., which rounds down
        writeKittiResults(path, {o});
        std::ifstream in(path);
        std::string line;
        std::getline(in, line);
        QCOMPARE(QString::fromStdString(line),
                 QString("Car 0.12 1 -1.50 10.00 20.00 30.50 40.25 1.50 1.60 3.90 -1.00 1.70 12.00 0.00 0.9877"));
    }

    void resultsNeedScore()
    {
        KittiObject o;
        o.type = "Car";
        const QString message = formatErrorOf([&] { writeKittiResults(m_dir / "noscore.txt", {o}); });
        QVERIFY2(message.contains("object 0 (Car): has no score"), qPrintable(message));
        QVERIFY(!fs::exists(m_dir / "noscore.txt"));
        QVERIFY(!fs::exists(m_dir / "noscore.txt.part"));
    }

    void labelsRoundTrip()
    {
        std::mt19937 rng(4321);
        std::vector<KittiObject> objects;
        for (int i = 0; i < 20; ++i) {
            KittiObject o;
            o.type = i % 3 == 0 ? "Car" : (i % 3 == 1 ? "Pedestrian" : "Cyclist");
            o.truncated = lnscope::test::uniform(rng, 0.f, 1.f);
            o.occluded = int(lnscope::test::uniformInt(rng, 0, 3));
            o.alpha = lnscope::test::uniform(rng, -3.f, 3.f);
            o.bbox[0] = lnscope::test::uniform(rng, 0.f, 600.f);
            o.bbox[1] = lnscope::test::uniform(rng, 0.f, 300.f);
            o.bbox[2] = o.bbox[0] + lnscope::test::uniform(rng, 0.f, 100.f);
            o.bbox[3] = o.bbox[1] + lnscope::test::uniform(rng, 0.f, 100.f);
            o.h = lnscope::test::uniform(rng, 0.5f, 3.f);
            o.w = lnscope::test::uniform(rng, 0.5f, 3.f);
            o.l = lnscope::test::uniform(rng, 0.5f, 6.f);
            o.x = lnscope::test::uniform(rng, -20.f, 20.f);
            o.y = lnscope::test::uniform(rng, 0.f, 3.f);
            o.z = lnscope::test::uniform(rng, 2.f, 70.f);
            o.rotationY = lnscope::test::uniform(rng, -3.14f, 3.14f);
            o.score = 0.5f; // ground truth has no score column: ignored by the label writer
            objects.push_back(o);
        }
        const fs::path path = m_dir / "labels.txt";
        writeText(m_dir, "labels.txt", "old content\n"); // overwritten, not appended
        writeKittiLabels(path, objects);
        QVERIFY(!fs::exists(path.string() + ".part"));

        const auto back = readKittiLabels(path);
        QCOMPARE(back.size(), objects.size());
        for (size_t i = 0; i < objects.size(); ++i) {
            const KittiObject& a = objects[i];
            const KittiObject& b = back[i];
            QCOMPARE(b.type, a.type);
            QCOMPARE(b.occluded, a.occluded);
            QVERIFY(!b.score.has_value());
            const float pairs[][2] = {{a.truncated, b.truncated}, {a.alpha, b.alpha}, {a.bbox[0], b.bbox[0]},
                                      {a.bbox[1], b.bbox[1]},     {a.bbox[2], b.bbox[2]}, {a.bbox[3], b.bbox[3]},
                                      {a.h, b.h}, {a.w, b.w},     {a.l, b.l}, {a.x, b.x}, {a.y, b.y}, {a.z, b.z},
                                      {a.rotationY, b.rotationY}};
            for (const auto& p : pairs)
                QVERIFY2(std::fabs(p[0] - p[1]) <= 0.0051f, qPrintable(QString("object %1: %2 vs %3").arg(i).arg(p[0]).arg(p[1])));
        }

        // The exact text of one line: 15 fields, %.2f, %d occluded, no score.
        KittiObject o;
        o.type = "Pedestrian";
        o.truncated = 0.f;
        o.occluded = 2;
        o.alpha = 0.25f;
        o.bbox[0] = 1.f; o.bbox[1] = 2.f; o.bbox[2] = 3.5f; o.bbox[3] = 4.25f;
        o.h = 1.75f; o.w = 0.6f; o.l = 0.8f; o.x = 2.f; o.y = 1.65f; o.z = 20.f; o.rotationY = -3.14f;
        writeKittiLabels(path, {o});
        std::ifstream in(path);
        std::string line;
        std::getline(in, line);
        QCOMPARE(QString::fromStdString(line),
                 QString("Pedestrian 0.00 2 0.25 1.00 2.00 3.50 4.25 1.75 0.60 0.80 2.00 1.65 20.00 -3.14"));

        writeKittiLabels(path, {});
        QVERIFY(readKittiLabels(path).empty()); // an empty frame is an empty file
    }

    void labelsRefuseBadObjects_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<float>("z");
        QTest::addColumn<QString>("expected");
        QTest::addRow("two-word type") << "Traffic cone" << 10.f << "object 0 (Traffic cone): the type must be one word";
        QTest::addRow("empty type") << "" << 10.f << "the type must be one word";
        QTest::addRow("NaN") << "Car" << std::numeric_limits<float>::quiet_NaN() << "object 0 (Car): has a non-finite value";
    }

    void labelsRefuseBadObjects()
    {
        QFETCH(QString, type);
        QFETCH(float, z);
        QFETCH(QString, expected);
        KittiObject o;
        o.type = type.toStdString();
        o.z = z;
        const fs::path path = m_dir / "bad_labels.txt";
        const QString message = formatErrorOf([&] { writeKittiLabels(path, {o}); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY(!fs::exists(path));
        QVERIFY(!fs::exists(path.string() + ".part"));
    }

    void calibRoundTrip()
    {
        KittiCalib calib;
        // Numbers in the style of a KITTI object calibration file, all seven keys.
        calib.P0 = {707.0493, 0, 604.0814, 0, 0, 707.0493, 180.5066, 0, 0, 0, 1, 0};
        calib.P1 = {707.0493, 0, 604.0814, -379.7842, 0, 707.0493, 180.5066, 0, 0, 0, 1, 0};
        calib.P2 = {707.0493, 0, 604.0814, 45.75831, 0, 707.0493, 180.5066, -0.3454157, 0, 0, 1, 0.004981016};
        calib.P3 = {707.0493, 0, 604.0814, -334.1081, 0, 707.0493, 180.5066, 2.33066, 0, 0, 1, 0.003201153};
        calib.R0_rect = {0.9999128, 0.01009263, -0.008511932, -0.01012729, 0.9999406, -0.004037671,
                         0.008470675, 0.004123522, 0.9999556};
        calib.Tr_velo_to_cam = {0.006927964, -0.9999722, -0.002757829, -0.02457729, -0.001162982, 0.002749836,
                                -0.9999955, -0.06127237, 0.9999753, 0.006931141, -0.001143899, -0.3321029};
        calib.Tr_imu_to_velo = {0.9999976, 0.0007553071, -0.002035826, -0.8086759, -0.0007854027, 0.9998898,
                                -0.01482298, 0.3195559, 0.002024406, 0.01482454, 0.9998881, -0.7997231};
        const fs::path path = m_dir / "calib_out.txt";
        writeKittiCalib(path, calib);
        QVERIFY(!fs::exists(path.string() + ".part"));
        const KittiCalib back = readKittiCalib(path);
        const auto same = [](const auto& a, const auto& b) {
            for (size_t i = 0; i < a.size(); ++i)
                if (std::fabs(a[i] - b[i]) > 1e-12 * std::max(1.0, std::fabs(a[i])))
                    return false;
            return true;
        };
        QVERIFY(same(back.P0, calib.P0));
        QVERIFY(same(back.P1, calib.P1));
        QVERIFY(same(back.P2, calib.P2));
        QVERIFY(same(back.P3, calib.P3));
        QVERIFY(same(back.R0_rect, calib.R0_rect));
        QVERIFY(same(back.Tr_velo_to_cam, calib.Tr_velo_to_cam));
        QVERIFY(same(back.Tr_imu_to_velo, calib.Tr_imu_to_velo));

        // KITTI's text: keys in order, "%.12e" values.
        std::ifstream in(path);
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);)
            lines.push_back(line);
        QCOMPARE(lines.size(), size_t(7));
        const char* keys[] = {"P0: ", "P1: ", "P2: ", "P3: ", "R0_rect: ", "Tr_velo_to_cam: ", "Tr_imu_to_velo: "};
        for (size_t i = 0; i < 7; ++i)
            QVERIFY2(lines[i].rfind(keys[i], 0) == 0, lines[i].c_str());
        QVERIFY2(lines[0].rfind("P0: 7.070493000000e+02 0.000000000000e+00 6.040814000000e+02 ", 0) == 0, lines[0].c_str());

        calib.P2[5] = std::numeric_limits<double>::infinity();
        const QString message = formatErrorOf([&] { writeKittiCalib(m_dir / "calib_bad.txt", calib); });
        QVERIFY2(message.contains("P2: has a non-finite value"), qPrintable(message));
        QVERIFY(!fs::exists(m_dir / "calib_bad.txt"));
    }

    void boxCorners_data()
    {
        QTest::addColumn<double>("rotation");
        QTest::addColumn<QList<double>>("expected"); // 8 corners, x y z each
        // l = 4 (object x), w = 2 (object z), h = 1.5; bottom centre (1, 2, 10); y down, so the
        // top face is at y = 2 - 1.5 = 0.5.
        QTest::addRow("rotation 0") << 0.0
                                    << QList<double>{3, 2, 11, 3, 2, 9, -1, 2, 9, -1, 2, 11,
                                                     3, 0.5, 11, 3, 0.5, 9, -1, 0.5, 9, -1, 0.5, 11};
        // ry = pi/2: R = [0 0 1; 0 1 0; -1 0 0], so (xo, zo) -> (zo, -xo): length along -z.
        QTest::addRow("rotation pi/2") << std::numbers::pi / 2
                                       << QList<double>{2, 2, 8, 0, 2, 8, 0, 2, 12, 2, 2, 12,
                                                        2, 0.5, 8, 0, 0.5, 8, 0, 0.5, 12, 2, 0.5, 12};
    }

    void boxCorners()
    {
        QFETCH(double, rotation);
        QFETCH(QList<double>, expected);
        KittiObject o;
        o.type = "Car";
        o.l = 4.f; o.w = 2.f; o.h = 1.5f;
        o.x = 1.f; o.y = 2.f; o.z = 10.f;
        o.rotationY = float(rotation);
        const auto corners = lnscope::core::boxCorners(o);
        for (int i = 0; i < 8; ++i)
            for (int k = 0; k < 3; ++k)
                QVERIFY2(std::fabs(corners[i][k] - expected[3 * i + k]) < 1e-6,
                         qPrintable(QString("corner %1 axis %2: %3 vs %4").arg(i).arg(k).arg(corners[i][k]).arg(expected[3 * i + k])));
    }

    void projection()
    {
        KittiCalib calib;
        // f = 700 px, principal point (600, 180), a 44 px horizontal offset (camera 2's baseline).
        calib.P2 = {700, 0, 600, 44, 0, 700, 180, 0, 0, 0, 1, 0};
        const auto uv = project(calib, 1.0, 2.0, 10.0);
        QCOMPARE(uv[0], (700.0 * 1 + 600.0 * 10 + 44) / 10); // 674.4
        QCOMPARE(uv[1], (700.0 * 2 + 180.0 * 10) / 10);      // 320
        const auto behind = project(calib, 1.0, 2.0, -1.0);
        QVERIFY(std::isnan(behind[0]) && std::isnan(behind[1]));
    }

private:
    fs::path m_dir;
};

QTEST_GUILESS_MAIN(TestKittiIo)
#include "test_kitti_io.moc"
