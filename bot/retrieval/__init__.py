"""Finding the passage that answers a question: TF-IDF index, synonyms, intents, typo repair, subjects."""
