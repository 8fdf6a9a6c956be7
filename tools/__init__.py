"""Developer tools: screenshots of every page per role, load test."""
