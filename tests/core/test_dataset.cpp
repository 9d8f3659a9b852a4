// The dataset reader (dataset.h): a tiny KITTI-layout folder synthesised in a temp dir, the plain
// image folder, the Cityscapes / A2D2 label switch, the errors for inconsistent folders, and
// shardIndices.

#include "test_utils.h"

#include "lnscope/core/dataset.h"
#include "lnscope/core/error.h"

#include <QTest>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

using namespace lnscope;
namespace fs = std::filesystem;

Q_DECLARE_METATYPE(std::vector<size_t>)

namespace {

const char* kCalib = "P0: 50 0 16 0 0 50 8 0 0 0 1 0\n"
                     "P1: 50 0 16 -27 0 50 8 0 0 0 1 0\n"
                     "P2: 50 0 16 2 0 50 8 -1 0 0 1 0\n"
                     "P3: 50 0 16 -25 0 50 8 -1 0 0 1 0\n"
                     "R0_rect: 1 0 0 0 1 0 0 0 1\n"
                     "Tr_velo_to_cam: 0 -1 0 0 0 0 -1 0 1 0 0 0\n"
                     "Tr_imu_to_velo: 1 0 0 0 0 1 0 0 0 0 1 0\n";

void writeImage(const fs::path& path, int width, int height, int seed)
{
    fs::create_directories(path.parent_path());
    cv::Mat image(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(x * 8 + seed), uchar(y * 16), uchar(seed * 40));
    QVERIFY(cv::imwrite(path.string(), image));
}

void writeGrey(const fs::path& path, int width, int height, uchar value)
{
    fs::create_directories(path.parent_path());
    QVERIFY(cv::imwrite(path.string(), cv::Mat(height, width, CV_8UC1, cv::Scalar(value))));
}

void writeFile(const fs::path& path, const std::string& text)
{
    fs::create_directories(path.parent_path());
    test::writeBytes(path, text);
}

/// A KITTI-layout folder of `frames` frames (ids 000000..), 32x16 images, every optional file.
fs::path makeKitti(int frames)
{
    const fs::path root = test::makeTempDir("lnscope-dataset");
    for (int i = 0; i < frames; ++i) {
        const std::string id = "00000" + std::to_string(i);
        writeImage(root / "image_2" / (id + ".png"), 32, 16, i);
        writeImage(root / "image_3" / (id + ".png"), 32, 16, i + 1);
        writeFile(root / "label_2" / (id + ".txt"), "Car 0.00 0 -1.50 2.00 3.00 20.00 12.00 1.50 1.60 3.90 1.00 1.60 "
                                                        + std::to_string(10 + i) + ".00 0.10\n");
        writeFile(root / "calib" / (id + ".txt"), kCalib);
        writeGrey(root / "semantic" / (id + ".png"), 32, 16, uchar(i));
    }
    writeFile(root / "classes.json",
              "[{\"id\":0,\"name\":\"road\",\"color\":[128,64,128]},{\"id\":1,\"name\":\"car\",\"color\":[0,0,142]}]");
    writeFile(root / "label_2" / "README", "not a label"); // other extensions are ignored
    return root;
}

template <typename Fn>
QString errorOf(Fn fn)
{
    try {
        fn();
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return QStringLiteral("no exception");
}

} // namespace

class TestDataset : public QObject
{
    Q_OBJECT
private slots:
    void opensKittiLayout()
    {
        const fs::path root = makeKitti(3);
        const core::Dataset ds = core::openDataset(root);
        QCOMPARE(ds.layout, core::DatasetLayout::Kitti);
        QCOMPARE(ds.frames.size(), size_t(3));
        QVERIFY(ds.hasRight() && ds.hasLabels() && ds.hasCalib() && ds.hasSemantic());
        QCOMPARE(ds.classes.size(), size_t(2));
        QCOMPARE(ds.classes[1].name, std::string("car"));
        for (int i = 0; i < 3; ++i) {
            const core::Frame& f = ds.frames[size_t(i)];
            const std::string id = "00000" + std::to_string(i);
            QCOMPARE(f.id, id);
            QCOMPARE(f.leftImage, root / "image_2" / (id + ".png"));
            QCOMPARE(f.rightImage, root / "image_3" / (id + ".png"));
            QCOMPARE(f.labelFile, root / "label_2" / (id + ".txt"));
            QCOMPARE(f.calibFile, root / "calib" / (id + ".txt"));
            QCOMPARE(f.semanticFile, root / "semantic" / (id + ".png"));
            QVERIFY(f.disparityFile.empty());
            QCOMPARE(f.semanticFormat, core::SemanticFormat::ClassIds);
        }
        QCOMPARE(ds.findFrame("000001"), &ds.frames[1]);
        QVERIFY(ds.findFrame("000009") == nullptr);
        fs::remove_all(root);
    }

    void lazyLoaders()
    {
        const fs::path root = makeKitti(2);
        const core::Dataset ds = core::openDataset(root);
        const core::Frame& f = ds.frames[1];
        const auto labels = f.labels();
        QCOMPARE(labels.size(), size_t(1));
        QCOMPARE(labels[0].type, std::string("Car"));
        QCOMPARE(labels[0].z, 11.f);
        const core::KittiCalib calib = f.calib();
        QCOMPARE(calib.P2[0], 50.0);
        QCOMPARE(calib.P2[3], 2.0);
        const core::LabelMap semantic = f.semanticLabels();
        QCOMPARE(semantic.width, 32);
        QCOMPARE(semantic.height, 16);
        QCOMPARE(int(semantic.ids[100]), 1);
        QCOMPARE(f.imageSize(), (std::array<int, 2>{32, 16}));
        fs::remove_all(root);
    }

    void loaderErrorsNameTheFile()
    {
        const fs::path root = makeKitti(2);
        writeFile(root / "label_2" / "000001.txt", "Car 0 0 0 1 2 3\n");
        writeFile(root / "calib" / "000001.txt", "P0: 1 2 3\n");
        const core::Dataset ds = core::openDataset(root);
        const QString labels = test::formatErrorOf([&] { ds.frames[1].labels(); });
        QVERIFY2(labels.contains(QString::fromStdString((root / "label_2" / "000001.txt").string()) + ":1:"),
                 qPrintable(labels));
        const QString calib = test::formatErrorOf([&] { ds.frames[1].calib(); });
        QVERIFY2(calib.contains("000001.txt"), qPrintable(calib));
        writeFile(root / "image_2" / "000000.png", "\x89PNG\r\n\x1a\nbroken");
        const QString size = test::formatErrorOf([&] { ds.frames[0].imageSize(); });
        QVERIFY2(size.contains("000000.png: corrupt PNG header"), qPrintable(size));
        fs::remove_all(root);
    }

    void framesWithoutOptionalFiles()
    {
        const fs::path root = test::makeTempDir("lnscope-dataset");
        writeImage(root / "image_2" / "000007.png", 8, 4, 0);
        fs::create_directories(root / "calib"); // empty: counts as absent
        const core::Dataset ds = core::openDataset(root);
        QCOMPARE(ds.frames.size(), size_t(1));
        QVERIFY(!ds.hasRight() && !ds.hasLabels() && !ds.hasCalib() && !ds.hasSemantic());
        QVERIFY(ds.classes.empty());
        const core::Frame& f = ds.frames[0];
        QVERIFY2(test::formatErrorOf([&] { f.labels(); }).contains("frame 000007"), "labels");
        QVERIFY(test::formatErrorOf([&] { f.calib(); }).contains("no calibration file"));
        QVERIFY(test::formatErrorOf([&] { f.semanticLabels(); }).contains("no semantic label file"));
        fs::remove_all(root);
    }

    void inconsistentFolders_data()
    {
        QTest::addColumn<QString>("remove");
        QTest::addColumn<QString>("message");
        QTest::addRow("missing label") << "label_2/000001.txt"
                                       << "frame 000001: missing label_2/000001.txt (other frames have one)";
        QTest::addRow("missing right image") << "image_3/000002.png"
                                             << "frame 000002: missing image_3/000002.png";
        QTest::addRow("missing calibration") << "calib/000000.txt"
                                             << "frame 000000: missing calib/000000.txt";
        QTest::addRow("missing semantic") << "semantic/000001.png"
                                          << "frame 000001: missing semantic/000001.png";
    }
    void inconsistentFolders()
    {
        QFETCH(QString, remove);
        QFETCH(QString, message);
        const fs::path root = makeKitti(3);
        fs::remove(root / remove.toStdString());
        const QString error = test::formatErrorOf([&] { core::openDataset(root); });
        QVERIFY2(error.startsWith(QString::fromStdString(root.string()) + ": "), qPrintable(error));
        QVERIFY2(error.contains(message), qPrintable(error));
        fs::remove_all(root);
    }

    void extraFilesAreIgnored()
    {
        const fs::path root = makeKitti(2);
        writeFile(root / "label_2" / "000099.txt", "DontCare 0 0 0 1 2 3 4 -1 -1 -1 -1000 -1000 -1000 -10\n");
        writeFile(root / "image_2" / ".hidden.png", "x");
        writeFile(root / "image_2" / "notes.txt", "x");
        QCOMPARE(core::openDataset(root).frames.size(), size_t(2));
        fs::remove_all(root);
    }

    void badRoots_data()
    {
        QTest::addColumn<QString>("setup");
        QTest::addColumn<QString>("message");
        QTest::addRow("no such folder") << "none"
                                        << "no such folder";
        QTest::addRow("empty folder") << "empty"
                                      << "no image_2/ folder and no *.png / *.jpg images";
        QTest::addRow("labels without image_2")
            << "labels"
            << "looks like a KITTI object layout (has label_2/) but image_2/ is missing";
        QTest::addRow("empty image_2") << "emptyImages"
                                       << "image_2/ holds no *.png / *.jpg images";
        QTest::addRow("two files for one id") << "duplicate"
                                              << "two files for frame 000000: 000000.jpg and 000000.png";
        QTest::addRow("two semantic files for one id") << "duplicateSemantic"
                                                       << "two files for frame 000000";
    }
    void badRoots()
    {
        QFETCH(QString, setup);
        QFETCH(QString, message);
        fs::path root = test::makeTempDir("lnscope-dataset");
        if (setup == "none")
            root /= "missing";
        else if (setup == "labels")
            writeFile(root / "label_2" / "000000.txt", "");
        else if (setup == "emptyImages")
            fs::create_directories(root / "image_2");
        else if (setup == "duplicate") {
            writeImage(root / "image_2" / "000000.png", 4, 4, 0);
            writeImage(root / "image_2" / "000000.jpg", 4, 4, 0);
        } else if (setup == "duplicateSemantic") {
            writeImage(root / "image_2" / "000000.png", 4, 4, 0);
            writeGrey(root / "semantic" / "000000.png", 4, 4, 0);
            writeGrey(root / "semantic" / "000000_labelIds.png", 4, 4, 7);
        }
        const QString error = errorOf([&] { core::openDataset(root); });
        QVERIFY2(error.contains(message), qPrintable(error));
        if (setup == "none")
            QVERIFY2(error.startsWith(QString::fromStdString(root.string())), qPrintable(error));
        fs::remove_all(root.filename() == "missing" ? root.parent_path() : root);
    }

    void missingRootIsIoError()
    {
        QVERIFY_THROWS_EXCEPTION(core::IoError, core::openDataset("/nonexistent/lnscope/dataset"));
    }

    void imageFolder()
    {
        const fs::path root = test::makeTempDir("lnscope-images");
        writeImage(root / "10.png", 8, 6, 0);
        writeImage(root / "2.jpg", 12, 10, 1);
        writeImage(root / "1.PNG", 8, 6, 2);
        writeImage(root / "b.png", 8, 6, 3);
        writeImage(root / "a.jpeg", 8, 6, 4);
        writeFile(root / "README.txt", "ignored");
        const core::Dataset ds = core::openDataset(root);
        QCOMPARE(ds.layout, core::DatasetLayout::ImageFolder);
        QStringList ids;
        for (const auto& f : ds.frames)
            ids << QString::fromStdString(f.id);
        QCOMPARE(ids, (QStringList{"1", "2", "10", "a", "b"}));
        QVERIFY(!ds.hasRight() && !ds.hasLabels());
        QCOMPARE(ds.frames[1].leftImage, root / "2.jpg");
        QCOMPARE(ds.frames[1].imageSize(), (std::array<int, 2>{12, 10})); // decoded, not a PNG
        QCOMPARE(ds.frames[2].imageSize(), (std::array<int, 2>{8, 6}));   // PNG header
        fs::remove_all(root);
    }

    void kittiIdsSortNumerically()
    {
        const fs::path root = test::makeTempDir("lnscope-dataset");
        for (const char* id : {"10", "9", "000011", "x1"})
            writeImage(root / "image_2" / (std::string(id) + ".png"), 4, 4, 0);
        QStringList ids;
        for (const auto& f : core::openDataset(root).frames)
            ids << QString::fromStdString(f.id);
        QCOMPARE(ids, (QStringList{"9", "10", "000011", "x1"}));
        fs::remove_all(root);
    }

    void cityscapesLabels()
    {
        const fs::path root = test::makeTempDir("lnscope-dataset");
        writeImage(root / "image_2" / "000000.png", 4, 4, 0);
        writeImage(root / "image_2" / "000001.png", 4, 4, 1);
        writeGrey(root / "semantic" / "000000_labelIds.png", 4, 4, 7);       // labelId 7 = road = trainId 0
        writeGrey(root / "semantic" / "000001_labelTrainIds.png", 4, 4, 13); // trainId 13 = car
        const core::Dataset ds = core::openDataset(root);
        QCOMPARE(ds.frames[0].semanticFormat, core::SemanticFormat::CityscapesLabelIds);
        QCOMPARE(ds.frames[1].semanticFormat, core::SemanticFormat::CityscapesTrainIds);
        QCOMPARE(int(ds.frames[0].semanticLabels().ids[0]), 0);
        QCOMPARE(int(ds.frames[1].semanticLabels().ids[5]), 13);
        QCOMPARE(ds.classes.size(), size_t(19));
        QCOMPARE(ds.classes[13].name, core::cityscapesTrainClasses()[13].name);
        fs::remove_all(root);
    }

    void a2d2Labels()
    {
        const fs::path root = test::makeTempDir("lnscope-dataset");
        writeImage(root / "image_2" / "000000.png", 4, 2, 0);
        writeFile(root / "class_list.json", "{\"#ff0000\": \"Car 1\", \"#00ff00\": \"Road\"}");
        cv::Mat label(2, 4, CV_8UC3, cv::Scalar(0, 255, 0)); // BGR: green = Road
        label.at<cv::Vec3b>(0, 0) = cv::Vec3b(0, 0, 255);    // red = Car 1
        label.at<cv::Vec3b>(1, 3) = cv::Vec3b(1, 2, 3);      // not in the list
        fs::create_directories(root / "semantic");
        QVERIFY(cv::imwrite((root / "semantic" / "000000.png").string(), label));
        const core::Dataset ds = core::openDataset(root);
        QCOMPARE(ds.frames[0].semanticFormat, core::SemanticFormat::A2d2);
        QCOMPARE(ds.classes.size(), size_t(2));
        int64_t unmatched = -1;
        const core::LabelMap map = ds.frames[0].semanticLabels(&unmatched);
        QCOMPARE(int(map.ids[0]), 0);
        QCOMPARE(int(map.ids[1]), 1);
        QCOMPARE(int(map.ids[7]), int(core::kIgnoreLabel));
        QCOMPARE(unmatched, int64_t(1));
        fs::remove_all(root);
    }

    void shardIndices_data()
    {
        QTest::addColumn<int>("frames");
        QTest::addColumn<int>("shard");
        QTest::addColumn<int>("shards");
        QTest::addColumn<std::vector<size_t>>("expected");
        QTest::addRow("7 in 3, first") << 7 << 0 << 3 << std::vector<size_t>{0, 1, 2};
        QTest::addRow("7 in 3, middle") << 7 << 1 << 3 << std::vector<size_t>{3, 4};
        QTest::addRow("7 in 3, last") << 7 << 2 << 3 << std::vector<size_t>{5, 6};
        QTest::addRow("one shard") << 4 << 0 << 1 << std::vector<size_t>{0, 1, 2, 3};
        QTest::addRow("more shards than frames") << 2 << 2 << 3 << std::vector<size_t>{};
        QTest::addRow("no frames") << 0 << 0 << 2 << std::vector<size_t>{};
    }
    void shardIndices()
    {
        QFETCH(int, frames);
        QFETCH(int, shard);
        QFETCH(int, shards);
        QFETCH(std::vector<size_t>, expected);
        QCOMPARE(core::shardIndices(size_t(frames), shard, shards), expected);
    }

    void shardsPartitionTheFrames()
    {
        for (size_t n = 0; n <= 20; ++n)
            for (int shards = 1; shards <= 7; ++shards) {
                std::vector<size_t> all;
                size_t smallest = n, largest = 0;
                for (int s = 0; s < shards; ++s) {
                    const auto part = core::shardIndices(n, s, shards);
                    all.insert(all.end(), part.begin(), part.end());
                    smallest = std::min(smallest, part.size());
                    largest = std::max(largest, part.size());
                }
                QCOMPARE(all.size(), n);
                for (size_t i = 0; i < n; ++i)
                    QCOMPARE(all[i], i);
                QVERIFY(largest - smallest <= 1);
            }
    }

    void shardErrors_data()
    {
        QTest::addColumn<int>("shard");
        QTest::addColumn<int>("shards");
        QTest::addColumn<QString>("message");
        QTest::addRow("zero shards") << 0 << 0 << "shard 0/0: the shard count must be at least 1";
        QTest::addRow("negative shard") << -1 << 4 << "shard -1/4: the shard must be in 0..3";
        QTest::addRow("shard = shards") << 4 << 4 << "shard 4/4: the shard must be in 0..3";
    }
    void shardErrors()
    {
        QFETCH(int, shard);
        QFETCH(int, shards);
        QFETCH(QString, message);
        QCOMPARE(test::formatErrorOf([&] { core::shardIndices(10, shard, shards); }), message);
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "test_dataset.moc"
