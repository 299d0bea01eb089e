"""Reusable widgets: the result card, the scan field, tables, the checklist panel, the camera, the
signature pad."""
