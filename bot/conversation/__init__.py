"""Conversations: what a session remembers between messages, and how a follow-up is read with it."""
