"""Early warning: alerts raised and cleared on records, attesters, models and pools."""
