"""One builder per OAI-PMH verb: each takes the Context and the request, returns the root."""
