"""The user's own mailbox over IMAP: what a check remembers (state.py) and the protocol
(imap.py, the only importer of imapclient). Nothing here sends mail."""
