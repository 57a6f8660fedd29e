"""The SQLite store: schema, migrations and queries over works, posts and events."""
