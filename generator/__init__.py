"""The creative pipeline; poet/ is the haiku language model."""
