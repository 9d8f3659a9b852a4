#pragma once
// Reading and writing tensors: ONNX TensorProto (.pb) files and images.

#include "lnscope/core/tensor.h"

#include <array>
#include <filesystem>
#include <string>

namespace lnscope::core {

/// Reads a serialized onnx::TensorProto. Throws IoError / FormatError naming the file.
Tensor readTensorPb(const std::filesystem::path& path);
/// Writes a serialized onnx::TensorProto atomically (temp file + rename). `name` is stored.
void writeTensorPb(const Tensor& tensor, const std::filesystem::path& path, const std::string& name = {});

struct ImageToTensorOptions
{
    int width = 0;   ///< resize to this size (0: keep)
    int height = 0;
    bool rgb = true; ///< channel order of the tensor (images are read as BGR)
    std::array<float, 3> mean{0.f, 0.f, 0.f}; ///< in [0,1] units, subtracted after scaling by 1/255
    std::array<float, 3> std{1.f, 1.f, 1.f};
};

/// Reads an image file into an N=1, C=3, H, W float tensor. Throws IoError / FormatError.
Tensor readImageTensor(const std::filesystem::path& path, const ImageToTensorOptions& options = {});

} // namespace lnscope::core
