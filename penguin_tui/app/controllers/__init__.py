"""The workbench's controllers: one per concern, each with its state declared in one place.

The app builds them once, hands its actions (keys and palette) to them, and adds them to the
event routes next to the panes (``app/event_routes.py``).
"""
