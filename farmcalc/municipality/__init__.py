"""The municipality's view: protected summaries, disclosure audit, trend, the climate
investment plan and their exports.
"""
