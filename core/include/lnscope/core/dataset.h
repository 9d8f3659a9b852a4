#pragma once
// Datasets on disk (spec/data.md): the KITTI object layout that `lnscope-cli synth` writes, and a
// plain folder of images. openDataset() only lists files; every frame's labels, calibration and
// semantic labels are read lazily, on the thread that asks, with errors naming the file.
//
// KITTI object layout (the main case):
//   <root>/image_2/<id>.png|.jpg   left colour image (required)
//   <root>/image_3/<id>.png|.jpg   right colour image        <root>/label_2/<id>.txt  KITTI labels
//   <root>/calib/<id>.txt          KITTI calibration         <root>/disparity/<id>.png uint16 disparity·256
//   <root>/semantic/<id>.png       8-bit class ids (255 = ignore), or, the small Cityscapes / A2D2
//                                  switch below, <id>_labelIds.png / <id>_labelTrainIds.png
//   <root>/classes.json            class list (seg_labels.h readClassList), optional
//   <root>/class_list.json         A2D2 colour → class list, optional: semantic PNGs are then A2D2
//                                  RGB labels (readA2d2Label)
// Frames are the stems of image_2, sorted by id (all-digit ids by number, others by name). An
// optional folder that holds at least one matching file must hold one for every frame; a folder
// that is absent or has no matching file at all is treated as absent. Files in optional folders
// without an image_2 counterpart, files of other extensions and hidden files are ignored.
//
// Semantic label format per file, a documented switch (seg_labels.h readers):
//   <id>.png                 class-id PNG (readClassIdPng), or an A2D2 RGB label when
//                            <root>/class_list.json exists (readA2d2Label with that list)
//   <id>_labelIds.png        Cityscapes label ids, mapped to trainIds (readCityscapesLabelIds)
//   <id>_labelTrainIds.png   Cityscapes trainIds (readCityscapesTrainIds)
// Dataset::classes is classes.json when present; else the A2D2 list, or the 19 Cityscapes train
// classes when every semantic file is a Cityscapes one; else empty.
//
// Image folder (no layout: <root> has no image_2/): every regular *.png / *.jpg / *.jpeg file
// directly in <root> (extension case-insensitive), sorted like ids; frames have only a left image.
// Meant for dense / segmentation runs without labels.
//
// Threading: Dataset and Frame are copyable values; the lazy loaders are const and read files only,
// so any number of threads may call them at once.

#include "lnscope/core/kitti_io.h"
#include "lnscope/core/seg_labels.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lnscope::core {

enum class DatasetLayout { Kitti, ImageFolder };

/// How a frame's semantic label file is read (see the header comment).
enum class SemanticFormat { ClassIds, CityscapesLabelIds, CityscapesTrainIds, A2d2 };

/// "class ids", "cityscapes labelIds", "cityscapes trainIds", "a2d2 colours".
const char* semanticFormatName(SemanticFormat format);

/// One frame: its id, the paths of its files and lazy loaders for them. Optional paths are
/// empty when the dataset has no such file.
struct Frame
{
    std::string id;                      ///< the file stem of the left image ("000042")
    std::filesystem::path leftImage;     ///< image_2/<id>.png (always set)
    std::filesystem::path rightImage;    ///< image_3/<id>.png, or empty
    std::filesystem::path labelFile;     ///< label_2/<id>.txt, or empty
    std::filesystem::path calibFile;     ///< calib/<id>.txt, or empty
    std::filesystem::path semanticFile;  ///< semantic/<id>*.png, or empty
    std::filesystem::path disparityFile; ///< disparity/<id>.png, or empty (not read by core yet)
    SemanticFormat semanticFormat = SemanticFormat::ClassIds;
    /// A2D2 colour list, shared by all frames of a dataset; set only for SemanticFormat::A2d2.
    std::shared_ptr<const std::vector<ClassInfo>> a2d2Classes;

    bool hasRight() const { return !rightImage.empty(); }
    bool hasLabels() const { return !labelFile.empty(); }
    bool hasCalib() const { return !calibFile.empty(); }
    bool hasSemantic() const { return !semanticFile.empty(); }

    /// KITTI labels (readKittiLabels). Throws FormatError "frame <id>: no label file (...)" when
    /// the frame has none, and whatever readKittiLabels throws (naming the file and line).
    std::vector<KittiObject> labels() const;
    /// KITTI calibration (readKittiCalib: a missing P2 is a FormatError naming the file).
    /// Throws FormatError "frame <id>: no calibration file" when the frame has none.
    KittiCalib calib() const;
    /// The semantic labels as class ids, read by semanticFormat. For A2D2, colours not in the
    /// list become kIgnoreLabel and their count is stored in *unmatchedPixels when given (0 for
    /// the other formats). Throws FormatError "frame <id>: no semantic label file" when the frame
    /// has none, and whatever the seg_labels.h reader throws (naming the file).
    LabelMap semanticLabels(int64_t* unmatchedPixels = nullptr) const;
    /// Width and height of the left image in pixels. PNGs are measured from their header only;
    /// other formats are decoded. Throws IoError (missing/unreadable) or FormatError (not an image).
    std::array<int, 2> imageSize() const;
};

struct Dataset
{
    std::filesystem::path root;
    DatasetLayout layout = DatasetLayout::ImageFolder;
    std::vector<Frame> frames;      ///< sorted by id
    std::vector<ClassInfo> classes; ///< see the header comment; empty when unknown

    bool hasRight() const; ///< every frame has a right image (frames share their set of files)
    bool hasLabels() const;
    bool hasCalib() const;
    bool hasSemantic() const;
    /// The frame with that id, or nullptr.
    const Frame* findFrame(std::string_view id) const;
};

/// Lists a dataset (see the header comment). Reads classes.json / class_list.json eagerly, nothing
/// else. Throws IoError when root is not a readable folder; FormatError "<root>: ..." for an empty
/// image_2/ or image folder, a KITTI folder (label_2/, calib/, image_3/, semantic/) without
/// image_2/, two files for one id, or a frame missing a file that other frames have
/// ("frame 000004: missing label_2/000004.txt (other frames have one)"); and whatever
/// readClassList / readA2d2ClassList throw.
Dataset openDataset(const std::filesystem::path& root);

/// Indices of the frames of shard `shard` (0..shards−1) of `frameCount` frames: contiguous blocks
/// in order, each of ⌊n/N⌋ frames, the first n mod N shards one more (7 frames in 3 shards:
/// 0–2, 3–4, 5–6). The shards partition 0..n−1; with more shards than frames the last ones are
/// empty. Throws FormatError when shards < 1 or shard is outside 0..shards−1.
std::vector<size_t> shardIndices(size_t frameCount, int shard, int shards);

} // namespace lnscope::core
