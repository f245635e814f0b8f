"""The coach desk: where admissions coaches receive handoffs, read transcripts, reply and close."""
