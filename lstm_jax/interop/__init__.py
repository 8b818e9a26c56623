"""Weight conversion to and from other libraries (PyTorch, Flax cells)."""
