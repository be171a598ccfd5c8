# Production: messages about backing services (the knowledge index on its server).
error-knowledge-unavailable = I cannot reach the knowledge base right now. Please ask your question again in a minute.
