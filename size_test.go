package main

import "testing"

// TestParseSize: --memory-limit's sizes, and what is not one.
func TestParseSize(t *testing.T) {
	good := map[string]int64{"off": 0, "0": 0, "1GiB": 1 << 30, "512MiB": 512 << 20, "1.5G": 3 << 29,
		"800MB": 800e6, "2048": 2048, "64K": 64 << 10, " 2 GiB ": 2 << 30}
	for in, want := range good {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "12x", "-1G", "1TiB", "G", "1e30G", "1..2M"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}
