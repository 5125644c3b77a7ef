"""The desktop app (PySide6): views over the services, no business rules here."""
