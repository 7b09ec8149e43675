// Placeholder, replaced by the stage's implementation.
