"""The stylist: a mood, a style for it, and the style network that paints it in."""
