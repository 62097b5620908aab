"""Reviewing: reviewers' decisions beside the engines' values, approval, the review queue."""
