"""The application: CLI, configuration, secrets, logging (the daemon comes later)."""
