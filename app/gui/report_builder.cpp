#include "report_builder.h"
// Placeholder: being written this session (see the issue notes).
