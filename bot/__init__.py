"""The application on top: CLI, configuration, the daemon, the gallery."""
