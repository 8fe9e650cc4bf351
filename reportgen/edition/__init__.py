"""Reading an edition: its manifest, chapters, data files and tables, checked as they are read."""
