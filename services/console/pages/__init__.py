"""The console's pages, one module per subject; each class gives its routes."""
