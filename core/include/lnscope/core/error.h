#pragma once
// Typed errors thrown by lnscope_core. Every message names the offending file, node, tensor or
// line and the reason; job boundaries (CLI, GUI jobs) print what() as is.

#include <stdexcept>
#include <string>

namespace lnscope::core {

/// Base of every error thrown by core.
class Error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// A file could not be opened, read or written.
class IoError : public Error
{
public:
    using Error::Error;
};

/// Input data is malformed: a model, tensor, image, label or config breaks its format's rules.
class FormatError : public Error
{
public:
    using Error::Error;
};

/// Well-formed input that uses something LNScope does not implement (an op, a data type, a mode).
class UnsupportedError : public Error
{
public:
    using Error::Error;
};

/// Tensor shapes do not fit together (found while running a graph).
class ShapeError : public Error
{
public:
    using Error::Error;
};

} // namespace lnscope::core
