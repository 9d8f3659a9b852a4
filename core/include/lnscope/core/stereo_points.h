#pragma once
// Placeholder: being written this session (see the issue notes).
