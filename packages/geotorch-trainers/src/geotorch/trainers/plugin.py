"""The geotorch-trainers plugin: will register Lightning tasks, datamodules and the fit commands (none yet)."""
