"""Background work on RQ: routing, dispatch, acknowledgements, sweeps and providers."""
