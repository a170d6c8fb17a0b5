"""Recovery workflows, built from the task names an operator configures."""
