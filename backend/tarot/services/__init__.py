"""Domain logic and queries; plain functions with keyword-only arguments.

Request services leave the commit to the session dependency; the reading queue and the
scheduler run outside a request and commit their own transactions.
"""
