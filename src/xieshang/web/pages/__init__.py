"""The pages of the web app, one module per step of the guide (each defines ``router``)."""
