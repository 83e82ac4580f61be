"""Persistence: SQLModel tables, sessions, migrations, settings and the commune directory."""
