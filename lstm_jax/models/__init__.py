"""Task models: one file each. Models take arrays, never files."""
