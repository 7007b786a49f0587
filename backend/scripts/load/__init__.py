"""`make bench-load`: the customer scenario, its load steps, the idle-connection run and the soak."""
