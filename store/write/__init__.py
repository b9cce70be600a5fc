"""Write side: the one write path for items and sets (single and bulk), reader accounts."""
