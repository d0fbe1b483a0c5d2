"""Domain logic and queries; plain functions with keyword-only arguments that never commit."""
