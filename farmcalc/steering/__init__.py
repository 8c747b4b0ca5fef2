"""Steering: measures, their costs per tonne, packages, the farm's action plan."""
