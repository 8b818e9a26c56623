"""Data sources, tokenizers and batching. Data never imports models."""
