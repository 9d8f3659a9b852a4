// Placeholder: filled in by the change that implements lns_emulator.
