"""In-app notifications and the development outbox."""
