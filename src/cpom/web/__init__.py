"""The web layer every app builds its pages on: forms and fields, lookups, refusals, middleware, the template
library (``{% load cpom %}``) and the contract pages' frame."""
