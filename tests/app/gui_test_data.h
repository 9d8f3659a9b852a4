#pragma once
// Small fixtures for the GUI tests: a copy of a few frames of the bundled dataset (so a
// conversion and an evaluation take seconds, not minutes) and quick conversion settings.

#include "workbench.h"

#include "test_utils.h"

#include <filesystem>
#include <string>

namespace lnscope::test {

/// Copies frames [first, first + count) of datasets/synthdrive/val (every per-frame folder and
/// the dataset-wide files) into a fresh temp folder and returns it.
inline std::filesystem::path makeSmallDataset(const std::string& prefix, int first, int count)
{
    namespace fs = std::filesystem;
    const fs::path source = datasetsDir() / "synthdrive" / "val";
    const fs::path dir = makeTempDir(prefix);
    for (const fs::directory_entry& entry : fs::directory_iterator(source)) {
        if (!entry.is_directory()) {
            fs::copy_file(entry.path(), dir / entry.path().filename());
            continue;
        }
        fs::create_directories(dir / entry.path().filename());
        for (const fs::directory_entry& file : fs::directory_iterator(entry.path())) {
            const std::string stem = file.path().stem().string();
            const int id = std::atoi(stem.substr(0, 6).c_str());
            if (stem.size() >= 6 && id >= first && id < first + count)
                fs::copy_file(file.path(), dir / entry.path().filename() / file.path().filename());
        }
    }
    return dir;
}

/// Quick settings: 8 centroids, no refinement, one calibration frame.
inline void useQuickSettings(app::Workbench& wb)
{
    core::ConversionConfig c = wb.config();
    c.clusters = 8;
    c.refine = false;
    wb.setConfig(c);
    wb.setCalibrationFrames(1);
}

/// Opens both demo models and `dataset` in `wb`.
inline void openDemoModels(app::Workbench& wb, const std::filesystem::path& dataset)
{
    const std::filesystem::path models = datasetsDir() / "models";
    wb.openModel(app::Workbench::Segmentation, models / "synth_segnet.onnx", models / "synth_segnet.adapter.json");
    wb.openModel(app::Workbench::Stereo, models / "synth_stereo3d.onnx", models / "synth_stereo3d.adapter.json");
    wb.openDataset(dataset);
}

} // namespace lnscope::test
