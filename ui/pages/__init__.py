"""The main window's pages: event, inspection, evaluation, sync."""
