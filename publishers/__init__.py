"""Platform adapters (X, Instagram, dry run, ...) behind one interface; built in a later issue."""
