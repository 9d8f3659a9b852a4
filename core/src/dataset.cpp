#include "lnscope/core/dataset.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <system_error>

namespace lnscope::core {

namespace fs = std::filesystem;

namespace {

bool allDigits(const std::string& s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

/// Ids sort by number when both are all digits ("2" < "10", "007" after "7" on ties), otherwise by
/// name; numeric ids come first.
bool idLess(const std::string& a, const std::string& b)
{
    const bool da = allDigits(a), db = allDigits(b);
    if (da && db) {
        const size_t za = std::min(a.find_first_not_of('0'), a.size());
        const size_t zb = std::min(b.find_first_not_of('0'), b.size());
        const std::string_view na(a.data() + za, a.size() - za), nb(b.data() + zb, b.size() - zb);
        if (na.size() != nb.size())
            return na.size() < nb.size();
        if (na != nb)
            return na < nb;
        return a < b;
    }
    if (da != db)
        return da;
    return a < b;
}

std::string lower(std::string s)
{
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool isImageExtension(const fs::path& p)
{
    const std::string ext = lower(p.extension().string());
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

bool isDirectory(const fs::path& p)
{
    std::error_code ec;
    return fs::is_directory(p, ec);
}

/// Regular, non-hidden files directly in dir, in name order. IoError when dir cannot be listed.
std::vector<fs::path> listFiles(const fs::path& dir)
{
    std::vector<fs::path> files;
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    if (ec)
        throw IoError(dir.string() + ": cannot list the folder: " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec)
            throw IoError(dir.string() + ": cannot list the folder: " + ec.message());
        const fs::path& p = it->path();
        const std::string name = p.filename().string();
        std::error_code fileEc;
        if (name.empty() || name[0] == '.' || !fs::is_regular_file(p, fileEc))
            continue;
        files.push_back(p);
    }
    if (ec)
        throw IoError(dir.string() + ": cannot list the folder: " + ec.message());
    std::sort(files.begin(), files.end());
    return files;
}

/// One folder of the KITTI layout: how its files are named and what a frame's file is called.
struct FolderRule
{
    const char* folder;
    enum Kind { Images, Text, Png, Semantic } kind;
};

constexpr FolderRule kOptionalFolders[] = {
    {"image_3", FolderRule::Images},    {"label_2", FolderRule::Text},  {"calib", FolderRule::Text},
    {"semantic", FolderRule::Semantic}, {"disparity", FolderRule::Png},
};

/// Frame id of a file under a rule, or "" when the file does not belong to the folder.
std::string idOf(const fs::path& file, FolderRule::Kind kind, SemanticFormat* format)
{
    const std::string ext = lower(file.extension().string());
    std::string stem = file.stem().string();
    switch (kind) {
    case FolderRule::Images: return isImageExtension(file) ? stem : std::string();
    case FolderRule::Text: return ext == ".txt" ? stem : std::string();
    case FolderRule::Png: return ext == ".png" ? stem : std::string();
    case FolderRule::Semantic:
        if (ext != ".png")
            return {};
        for (const auto& [suffix, f] :
             {std::pair{std::string_view("_labelTrainIds"), SemanticFormat::CityscapesTrainIds},
              std::pair{std::string_view("_labelIds"), SemanticFormat::CityscapesLabelIds}}) {
            if (stem.size() > suffix.size() && stem.ends_with(suffix)) {
                *format = f;
                return stem.substr(0, stem.size() - suffix.size());
            }
        }
        *format = SemanticFormat::ClassIds;
        return stem;
    }
    return {};
}

struct FolderFiles
{
    std::map<std::string, fs::path> byId;
    std::map<std::string, SemanticFormat> formats; // semantic only
};

FolderFiles scanFolder(const fs::path& dir, FolderRule::Kind kind)
{
    FolderFiles out;
    for (const fs::path& file : listFiles(dir)) {
        SemanticFormat format = SemanticFormat::ClassIds;
        const std::string id = idOf(file, kind, &format);
        if (id.empty())
            continue;
        const auto [it, inserted] = out.byId.emplace(id, file);
        if (!inserted)
            throw FormatError(dir.string() + ": two files for frame " + id + ": " + it->second.filename().string()
                              + " and " + file.filename().string());
        out.formats[id] = format;
    }
    return out;
}

/// What a frame's missing file would be called, for messages.
std::string expectedName(const FolderRule& rule, const std::string& id)
{
    const char* ext = rule.kind == FolderRule::Text ? ".txt" : ".png";
    return std::string(rule.folder) + "/" + id + ext;
}

void readClassLists(Dataset& dataset, std::shared_ptr<const std::vector<ClassInfo>>& a2d2)
{
    std::error_code ec;
    if (fs::exists(dataset.root / "class_list.json", ec))
        a2d2 = std::make_shared<const std::vector<ClassInfo>>(readA2d2ClassList(dataset.root / "class_list.json"));
    if (fs::exists(dataset.root / "classes.json", ec))
        dataset.classes = readClassList(dataset.root / "classes.json");
}

Dataset openKitti(Dataset dataset)
{
    const fs::path& root = dataset.root;
    const FolderFiles left = scanFolder(root / "image_2", FolderRule::Images);
    if (left.byId.empty())
        throw FormatError(root.string() + ": image_2/ holds no *.png / *.jpg images");
    std::shared_ptr<const std::vector<ClassInfo>> a2d2;
    readClassLists(dataset, a2d2);

    for (const auto& [id, path] : left.byId) {
        Frame frame;
        frame.id = id;
        frame.leftImage = path;
        dataset.frames.push_back(std::move(frame));
    }
    std::sort(dataset.frames.begin(), dataset.frames.end(),
              [](const Frame& a, const Frame& b) { return idLess(a.id, b.id); });

    bool anySemantic = false, allCityscapes = true;
    for (const FolderRule& rule : kOptionalFolders) {
        const fs::path dir = root / rule.folder;
        if (!isDirectory(dir))
            continue;
        const FolderFiles files = scanFolder(dir, rule.kind);
        if (files.byId.empty())
            continue; // an empty or unrelated folder counts as absent
        for (Frame& frame : dataset.frames) {
            const auto it = files.byId.find(frame.id);
            if (it == files.byId.end())
                throw FormatError(root.string() + ": frame " + frame.id + ": missing " + expectedName(rule, frame.id)
                                  + " (other frames have one)");
            const std::string folder = rule.folder;
            if (folder == "image_3")
                frame.rightImage = it->second;
            else if (folder == "label_2")
                frame.labelFile = it->second;
            else if (folder == "calib")
                frame.calibFile = it->second;
            else if (folder == "disparity")
                frame.disparityFile = it->second;
            else {
                anySemantic = true;
                frame.semanticFile = it->second;
                frame.semanticFormat = files.formats.at(frame.id);
                if (frame.semanticFormat == SemanticFormat::ClassIds && a2d2) {
                    frame.semanticFormat = SemanticFormat::A2d2;
                    frame.a2d2Classes = a2d2;
                }
                allCityscapes = allCityscapes
                                && (frame.semanticFormat == SemanticFormat::CityscapesLabelIds
                                    || frame.semanticFormat == SemanticFormat::CityscapesTrainIds);
            }
        }
    }
    if (dataset.classes.empty() && a2d2)
        dataset.classes = *a2d2;
    else if (dataset.classes.empty() && anySemantic && allCityscapes)
        dataset.classes = cityscapesTrainClasses();
    return dataset;
}

Dataset openImageFolder(Dataset dataset)
{
    std::shared_ptr<const std::vector<ClassInfo>> a2d2;
    readClassLists(dataset, a2d2);
    std::map<std::string, fs::path> byId;
    for (const fs::path& file : listFiles(dataset.root)) {
        if (!isImageExtension(file))
            continue;
        const auto [it, inserted] = byId.emplace(file.stem().string(), file);
        if (!inserted)
            throw FormatError(dataset.root.string() + ": two images for frame " + it->first + ": "
                              + it->second.filename().string() + " and " + file.filename().string());
    }
    if (byId.empty())
        throw FormatError(dataset.root.string() + ": no image_2/ folder and no *.png / *.jpg images");
    for (const auto& [id, path] : byId) {
        Frame frame;
        frame.id = id;
        frame.leftImage = path;
        dataset.frames.push_back(std::move(frame));
    }
    std::sort(dataset.frames.begin(), dataset.frames.end(),
              [](const Frame& a, const Frame& b) { return idLess(a.id, b.id); });
    return dataset;
}

[[noreturn]] void failMissing(const Frame& frame, const char* what, const char* folder)
{
    throw FormatError("frame " + frame.id + " (" + frame.leftImage.string() + "): no " + what
                      + " file (the dataset has no " + folder + ")");
}

uint32_t bigEndian32(const unsigned char* p)
{
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

} // namespace

const char* semanticFormatName(SemanticFormat format)
{
    switch (format) {
    case SemanticFormat::ClassIds: return "class ids";
    case SemanticFormat::CityscapesLabelIds: return "cityscapes labelIds";
    case SemanticFormat::CityscapesTrainIds: return "cityscapes trainIds";
    case SemanticFormat::A2d2: return "a2d2 colours";
    }
    return "?";
}

std::vector<KittiObject> Frame::labels() const
{
    if (labelFile.empty())
        failMissing(*this, "label", "label_2/");
    return readKittiLabels(labelFile);
}

KittiCalib Frame::calib() const
{
    if (calibFile.empty())
        failMissing(*this, "calibration", "calib/");
    return readKittiCalib(calibFile);
}

LabelMap Frame::semanticLabels(int64_t* unmatchedPixels) const
{
    if (semanticFile.empty())
        failMissing(*this, "semantic label", "semantic/");
    if (unmatchedPixels)
        *unmatchedPixels = 0;
    switch (semanticFormat) {
    case SemanticFormat::ClassIds: return readClassIdPng(semanticFile);
    case SemanticFormat::CityscapesLabelIds: return readCityscapesLabelIds(semanticFile);
    case SemanticFormat::CityscapesTrainIds: return readCityscapesTrainIds(semanticFile);
    case SemanticFormat::A2d2: {
        if (!a2d2Classes)
            throw FormatError(semanticFile.string() + ": A2D2 label without a class list");
        A2d2Label label = readA2d2Label(semanticFile, *a2d2Classes);
        if (unmatchedPixels)
            *unmatchedPixels = label.unmatchedPixels;
        return std::move(label.labels);
    }
    }
    throw FormatError(semanticFile.string() + ": unknown semantic label format");
}

std::array<int, 2> Frame::imageSize() const
{
    std::error_code ec;
    if (!fs::is_regular_file(leftImage, ec))
        throw IoError(leftImage.string() + ": no such file");
    std::ifstream in(leftImage, std::ios::binary);
    if (!in)
        throw IoError(leftImage.string() + ": cannot open for reading");
    unsigned char header[24] = {};
    in.read(reinterpret_cast<char*>(header), sizeof header);
    static constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (in.gcount() >= 8 && std::equal(kPngSignature, kPngSignature + 8, header)) {
        // The first chunk of every PNG is IHDR: length 13, "IHDR", width, height (big-endian).
        if (in.gcount() < 24 || bigEndian32(header + 8) != 13
            || std::string_view(reinterpret_cast<char*>(header + 12), 4) != "IHDR")
            throw FormatError(leftImage.string() + ": corrupt PNG header (no IHDR chunk)");
        const uint32_t w = bigEndian32(header + 16), h = bigEndian32(header + 20);
        if (w == 0 || h == 0 || w > 0x7fffffffu || h > 0x7fffffffu)
            throw FormatError(leftImage.string() + ": PNG header gives an invalid size " + std::to_string(w) + "x"
                              + std::to_string(h));
        return {int(w), int(h)};
    }
    cv::Mat image;
    try {
        image = cv::imread(leftImage.string(), cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        throw FormatError(leftImage.string() + ": not a readable image: " + e.what());
    }
    if (image.empty())
        throw FormatError(leftImage.string() + ": not a readable image (unknown format or corrupt data)");
    return {image.cols, image.rows};
}

bool Dataset::hasRight() const
{
    return !frames.empty() && frames.front().hasRight();
}

bool Dataset::hasLabels() const
{
    return !frames.empty() && frames.front().hasLabels();
}

bool Dataset::hasCalib() const
{
    return !frames.empty() && frames.front().hasCalib();
}

bool Dataset::hasSemantic() const
{
    return !frames.empty() && frames.front().hasSemantic();
}

const Frame* Dataset::findFrame(std::string_view id) const
{
    for (const Frame& frame : frames)
        if (frame.id == id)
            return &frame;
    return nullptr;
}

Dataset openDataset(const fs::path& root)
{
    std::error_code ec;
    if (!fs::exists(root, ec))
        throw IoError(root.string() + ": no such folder");
    if (!fs::is_directory(root, ec))
        throw IoError(root.string() + ": is not a folder");
    Dataset dataset;
    dataset.root = root;
    if (isDirectory(root / "image_2")) {
        dataset.layout = DatasetLayout::Kitti;
        return openKitti(std::move(dataset));
    }
    for (const FolderRule& rule : kOptionalFolders)
        if (isDirectory(root / rule.folder))
            throw FormatError(root.string() + ": looks like a KITTI object layout (has " + rule.folder
                              + "/) but image_2/ is missing");
    dataset.layout = DatasetLayout::ImageFolder;
    return openImageFolder(std::move(dataset));
}

std::vector<size_t> shardIndices(size_t frameCount, int shard, int shards)
{
    if (shards < 1)
        throw FormatError("shard " + std::to_string(shard) + "/" + std::to_string(shards)
                          + ": the shard count must be at least 1");
    if (shard < 0 || shard >= shards)
        throw FormatError("shard " + std::to_string(shard) + "/" + std::to_string(shards) + ": the shard must be in 0.."
                          + std::to_string(shards - 1));
    const size_t n = size_t(shards), i = size_t(shard);
    const size_t base = frameCount / n, extra = frameCount % n;
    const size_t begin = i * base + std::min(i, extra);
    const size_t size = base + (i < extra ? 1 : 0);
    std::vector<size_t> indices(size);
    for (size_t k = 0; k < size; ++k)
        indices[k] = begin + k;
    return indices;
}

} // namespace lnscope::core
