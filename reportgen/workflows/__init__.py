"""What communication staff do around a build: start a caisse, next year's edition, preview, review, diff, import."""
