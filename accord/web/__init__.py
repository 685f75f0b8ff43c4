"""Pages that span every domain: the home page ("my day"), global search and the customer 360 pages."""
