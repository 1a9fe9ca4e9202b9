"""The Textual UI: the workbench app, its screens, widgets and themes."""
