"""Everything that talks to people: Rasa input channels, the coach desk and the website."""
