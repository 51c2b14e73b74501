"""Widgets shared by the desktop app's pages: field-driven cell editors, part tables,
the progress indicator of background work."""
