#pragma once
// The files of a generated dataset besides the frames themselves (frame_writer.cpp).

#include "lnscope/synth/synth.h"

#include <filesystem>
#include <string>
#include <vector>

namespace lnscope::synth {

inline constexpr const char* kLayoutFolders[] = {"image_2", "image_3", "label_2", "calib", "semantic", "disparity"};

/// "000042"
std::string frameName(int index);

/// Creates dir and its six frame folders. Throws std::filesystem::filesystem_error.
void createLayout(const std::filesystem::path& dir);

/// classes.json, in the format of resources/palettes/classes.json. Throws core::IoError.
void writeClassList(const std::filesystem::path& path);

struct FrameSummary
{
    int index = 0;
    SceneInfo scene;
    int labelled = 0;
};

/// synth.json: generator version, arguments, rig, label conventions and one line per frame.
/// Throws core::IoError.
void writeRunInfo(const std::filesystem::path& path, const SynthOptions& options, const StereoRig& rig,
                  const std::vector<FrameSummary>& frames);

} // namespace lnscope::synth
