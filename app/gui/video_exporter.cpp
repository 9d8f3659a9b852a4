#include "video_exporter.h"
// Placeholder: being written this session (see the issue notes).
