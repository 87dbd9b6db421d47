"""The video module: accepting uploads, checking they are MP4s, status, listing and cancelling."""
