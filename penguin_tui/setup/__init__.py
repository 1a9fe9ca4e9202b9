"""The setup flow both front ends walk (the workbench's setup screen and ``penguin-tui setup``):
providers, a local server found on its usual port, the key and where it is kept, the
connection test, the model, the permission mode, and the user config written with its
comments kept. No Textual, no prompt-toolkit: the front ends ask, this decides."""
