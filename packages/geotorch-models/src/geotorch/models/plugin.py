"""The geotorch-models plugin: will register backbones, heads and pretrained weights (none yet)."""
