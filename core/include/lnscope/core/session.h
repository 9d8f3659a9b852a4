#pragma once
// A workbench session (issue 6 "Sessions"): everything needed to reopen the same state — the
// models and adapters, the dataset, the conversion settings, the view state — as one JSON file,
// written atomically and versioned:
//   {"format":"lnscope-session","version":1,
//    "segmentation":{"model":…,"adapter":…}, "stereo":{"model":…,"adapter":…}, "dataset":…,
//    "conversion":{conversion config file keys}, "calibrationFrames":4,
//    "view":{"frame":0,"layer":"…","activeModel":0,"maximizedView":-1,"windowState":"<base64>"}}
// Paths are written as given; relative paths are read relative to the session file's folder.
// Reading is all-or-nothing: the whole file is parsed and checked before anything is returned, so
// a caller applies a session only when it is complete.
//
// Threading: pure functions.

#include "lnscope/core/converted_model.h"

#include <filesystem>
#include <string>

namespace lnscope::core {

struct Session
{
    static constexpr int kVersion = 1;
    std::filesystem::path segmentationModel, segmentationAdapter; ///< empty: none / dense adapter
    std::filesystem::path stereoModel, stereoAdapter;
    std::filesystem::path dataset;
    ConversionConfig conversion;
    int calibrationFrames = 4;
    int frame = 0;             ///< current frame index
    std::string layer;         ///< selected layer (node name), "" for none
    int activeModel = 0;       ///< 0 segmentation, 1 stereo: whose layers the table shows
    int maximizedView = -1;    ///< -1: the 2×2 grid
    std::string windowState;   ///< opaque (base64 of the GUI's saved state), may be empty

    bool operator==(const Session&) const = default;
};

/// Writes the session atomically (temp file + rename). Throws IoError naming the file.
void writeSession(const Session& session, const std::filesystem::path& path);

/// Reads a session. Throws IoError (missing/unreadable), UnsupportedError naming the file when it
/// was written by a newer version ("version N is newer than this build's M"), FormatError naming
/// the file and the key for anything malformed (syntax, unknown or missing keys, wrong types,
/// out-of-range values, a bad conversion config).
Session readSession(const std::filesystem::path& path);

} // namespace lnscope::core
