"""Reference costs: the national mean costs per place and the chart page."""
