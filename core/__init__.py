"""The ground every layer stands on: the error taxonomy, fault points, secrets and logging.

Below state, generator, publishers and bot, and imports none of them, so that no layer has to
reach up into the application (bot) for these.
"""
