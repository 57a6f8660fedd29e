"""The painter: a haiku becomes a scene plan, and the plan a picture."""
