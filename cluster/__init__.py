"""Where trials run: Slurm submission and multi-node Ray clusters."""
