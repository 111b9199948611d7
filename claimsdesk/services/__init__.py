"""Services own transactions; the CLI, the web desk and scripts are thin shells over them."""
