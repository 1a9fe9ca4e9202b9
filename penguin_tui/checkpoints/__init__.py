"""Checkpoints: shadow-git snapshots, conversation tree operations, restore journal, retention."""
