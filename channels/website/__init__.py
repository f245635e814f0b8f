"""The institution's website with the chat widget in the corner."""
