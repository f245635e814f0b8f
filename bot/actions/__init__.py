"""Custom actions of the Credential Advisor, served by `rasa run actions --actions bot.actions`."""
