"""Smart dispatch built ahead of run time: the character table and the classifier's model."""
