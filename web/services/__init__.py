"""What the views ask for that is neither a page nor the store."""
