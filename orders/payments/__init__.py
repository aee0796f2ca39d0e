"""Payment providers. `stripe.py` is the only module that imports the Stripe SDK."""
