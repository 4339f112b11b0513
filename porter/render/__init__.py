"""Renderers: each turns a ScanResult (and its Summary) into one output format, without analysing."""
