"""Many trials: Ray Tune orchestration, the stage cache, MLflow parent runs and the scaling analysis."""
