"""The write side of traffic: who clicked (privacy-safe), and counting it."""
