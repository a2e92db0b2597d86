"""Free-quote requests and their workflow (built in the quote-request issues)."""
